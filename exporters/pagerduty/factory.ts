/** Factory of the pagerduty exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { NotifyExporter } from '../notify-common/index.js';
import { configSchema, type Config } from './config.js';
import { PagerDutySink } from './sink.js';

/** The component type, as written in configs. */
export const TYPE = 'pagerduty';

/** Builds pagerduty exporters. A routing key is required, so the default config does not validate alone. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ routing_key: 'x'.repeat(32) }), routing_key: '' }),
  create: (settings, config) => new NotifyExporter(settings, config, new PagerDutySink(config)),
};
