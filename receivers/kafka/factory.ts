/** Factory of the kafka receiver (otelcol's kafkareceiver). */
import type { ReceiverFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'kafka';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./receiver.js'));

/** Builds kafka receivers; there are no required settings, as in otelcol. */
export const factory: ReceiverFactory<Config> = {
  type: TYPE,
  kind: 'receiver',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  create: (settings, config, next) => new (impl.get().KafkaReceiver)(settings, config, next),
};
