/** Factory of the kafka receiver (otelcol's kafkareceiver). */
import type { ReceiverFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { KafkaReceiver } from './receiver.js';

/** The component type, as written in configs. */
export const TYPE = 'kafka';

/** Builds kafka receivers; there are no required settings, as in otelcol. */
export const factory: ReceiverFactory<Config> = {
  type: TYPE,
  kind: 'receiver',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  create: (settings, config, next) => new KafkaReceiver(settings, config, next),
};
