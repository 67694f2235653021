/** Factory of the email exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'email';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, async () => {
  const [{ NotifyExporter }, { EmailSink }] = await Promise.all([import('../notify-common/index.js'), import('./sink.js')]);
  return { NotifyExporter, EmailSink };
});

/** Builds email exporters. A server, a sender and recipients are required, so the default config does not validate alone. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ endpoint: 'localhost:587', from: 'vigil@localhost', to: ['root@localhost'] }), endpoint: '', from: '', to: [] }),
  load: impl.load,
  create: (settings, config) => new (impl.get().NotifyExporter)(settings, config, new (impl.get().EmailSink)(config)),
};
