/** Factory of the email exporter. */
import type { ExporterFactory } from '../../pipeline/component.js';
import { NotifyExporter } from '../notify-common/index.js';
import { configSchema, type Config } from './config.js';
import { EmailSink } from './sink.js';

/** The component type, as written in configs. */
export const TYPE = 'email';

/** Builds email exporters. A server, a sender and recipients are required, so the default config does not validate alone. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  kind: 'exporter',
  stability: { logs: 'alpha' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ endpoint: 'localhost:587', from: 'vigil@localhost', to: ['root@localhost'] }), endpoint: '', from: '', to: [] }),
  create: (settings, config) => new NotifyExporter(settings, config, new EmailSink(config)),
};
