/** Factory of the pagerduty exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'pagerduty';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, async () => {
  const [{ NotifyExporter }, { PagerDutySink }] = await Promise.all([import('../notify-common/index.js'), import('./sink.js')]);
  return { NotifyExporter, PagerDutySink };
});

/** Builds pagerduty exporters. A routing key is required, so the default config does not validate alone. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ routing_key: 'x'.repeat(32) }), routing_key: '' }),
  load: impl.load,
  create: (settings, config) => new (impl.get().NotifyExporter)(settings, config, new (impl.get().PagerDutySink)(config)),
};
