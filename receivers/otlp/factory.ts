/** Factory of the otlp receiver: OTLP over gRPC and HTTP, every signal, one instance per id. */
import type { ReceiverFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'otlp';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./receiver.js'));

/** Builds otlp receivers; the default config enables both protocols, as otelcol's does. */
export const factory: ReceiverFactory<Config> = {
  type: TYPE,
  kind: 'receiver',
  stability: { traces: 'stable', metrics: 'stable', logs: 'stable' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({ protocols: { grpc: {}, http: {} } }),
  load: impl.load,
  create: (settings, config, next) => new (impl.get().OtlpReceiver)(settings, config, next),
};
