/** Factory of the otlp_grpc exporter (alias `otlp`, otelcol's name). */
import type { ExporterFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'otlp_grpc';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./exporter.js'));

/** Builds otlp_grpc exporters. `endpoint` is required, so the default config does not validate alone. */
export const factory: ExporterFactory<Config> = {
  type: TYPE,
  aliases: ['otlp'],
  kind: 'exporter',
  stability: { traces: 'stable', metrics: 'stable', logs: 'stable' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ endpoint: 'localhost:4317' }), endpoint: '' }),
  load: impl.load,
  create: (settings, config) => new (impl.get().OtlpGrpcExporter)(settings, config),
};
