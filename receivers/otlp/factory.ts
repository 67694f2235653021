/** Factory of the otlp receiver: OTLP over gRPC and HTTP, every signal, one instance per id. */
import type { ReceiverFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { OtlpReceiver } from './receiver.js';

/** The component type, as written in configs. */
export const TYPE = 'otlp';

/** Builds otlp receivers; the default config enables both protocols, as otelcol's does. */
export const factory: ReceiverFactory<Config> = {
  type: TYPE,
  kind: 'receiver',
  stability: { traces: 'stable', metrics: 'stable', logs: 'stable' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({ protocols: { grpc: {}, http: {} } }),
  create: (settings, config, next) => new OtlpReceiver(settings, config, next),
};
