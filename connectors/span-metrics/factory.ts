/** Factory of the span_metrics connector (alias spanmetrics): traces in, RED metrics out. */
import type { ConnectorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as otelcol v0.155+ names it. */
export const TYPE = 'span_metrics';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./connector.js'));

/** Builds span_metrics connectors; the default config is otelcol's. */
export const factory: ConnectorFactory<Config> = {
  type: TYPE,
  aliases: ['spanmetrics'],
  kind: 'connector',
  stability: { traces: 'alpha' },
  connects: { traces: ['metrics'] },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  create: (settings, config, from, to, next) => {
    if (from !== 'traces' || to !== 'metrics') throw new Error(`span_metrics connects traces to metrics, not ${from} to ${to}`);
    return new (impl.get().SpanMetricsConnector)(settings, config, next);
  },
};
