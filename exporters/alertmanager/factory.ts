/** Factory of the alertmanager exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { NotifyExporter } from '../notify-common/index.js';
import { configSchema, type Config } from './config.js';
import { AlertmanagerSink } from './sink.js';

/** The component type, as written in configs. */
export const TYPE = 'alertmanager';

/** Builds alertmanager exporters; the default posts to http://localhost:9093. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  create: (settings, config) => new NotifyExporter(settings, config, new AlertmanagerSink(config, settings.logger, settings.id.id)),
};
