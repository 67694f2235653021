/** Factory of the webhook exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'webhook';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, async () => {
  const [{ NotifyExporter }, { WebhookSink }] = await Promise.all([import('../notify-common/index.js'), import('./sink.js')]);
  return { NotifyExporter, WebhookSink };
});

/** Builds webhook exporters. An endpoint is required, so the default config does not validate alone. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ endpoint: 'http://localhost:9000' }), endpoint: '' }),
  load: impl.load,
  create: (settings, config) => new (impl.get().NotifyExporter)(settings, config, new (impl.get().WebhookSink)(config, settings.id.id)),
};
