/** Factory of the alertmanager exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'alertmanager';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, async () => {
  const [{ NotifyExporter }, { AlertmanagerSink }] = await Promise.all([import('../notify-common/index.js'), import('./sink.js')]);
  return { NotifyExporter, AlertmanagerSink };
});

/** Builds alertmanager exporters; the default posts to http://localhost:9093. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  create: (settings, config) => new (impl.get().NotifyExporter)(settings, config, new (impl.get().AlertmanagerSink)(config, settings.logger, settings.id.id)),
};
