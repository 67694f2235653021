/** Factory of the slack exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'slack';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, async () => {
  const [{ NotifyExporter }, { SlackSink }] = await Promise.all([import('../notify-common/index.js'), import('./sink.js')]);
  return { NotifyExporter, SlackSink };
});

/** Builds slack exporters. A webhook_url or a token is required, so the default config does not validate alone. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ webhook_url: 'http://localhost' }), webhook_url: undefined }),
  load: impl.load,
  create: (settings, config) => new (impl.get().NotifyExporter)(settings, config, new (impl.get().SlackSink)(config, config.dedup_ttl)),
};
