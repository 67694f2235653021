/** Factory of the webhook exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { NotifyExporter } from '../notify-common/index.js';
import { configSchema, type Config } from './config.js';
import { WebhookSink } from './sink.js';

/** The component type, as written in configs. */
export const TYPE = 'webhook';

/** Builds webhook exporters. An endpoint is required, so the default config does not validate alone. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ endpoint: 'http://localhost:9000' }), endpoint: '' }),
  create: (settings, config) => new NotifyExporter(settings, config, new WebhookSink(config, settings.id.id)),
};
