/** Factory of the slack exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { NotifyExporter } from '../notify-common/index.js';
import { configSchema, type Config } from './config.js';
import { SlackSink } from './sink.js';

/** The component type, as written in configs. */
export const TYPE = 'slack';

/** Builds slack exporters. A webhook_url or a token is required, so the default config does not validate alone. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ webhook_url: 'http://localhost' }), webhook_url: undefined }),
  create: (settings, config) => new NotifyExporter(settings, config, new SlackSink(config, config.dedup_ttl)),
};
