/** Factory of the span_metrics connector (alias spanmetrics): traces in, RED metrics out. */
import type { ConnectorFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { SpanMetricsConnector } from './connector.js';

/** The component type, as otelcol v0.155+ names it. */
export const TYPE = 'span_metrics';

/** Builds span_metrics connectors; the default config is otelcol's. */
export const factory: ConnectorFactory<Config> = {
  type: TYPE,
  aliases: ['spanmetrics'],
  kind: 'connector',
  stability: { traces: 'alpha' },
  connects: { traces: ['metrics'] },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  create: (settings, config, from, to, next) => {
    if (from !== 'traces' || to !== 'metrics') throw new Error(`span_metrics connects traces to metrics, not ${from} to ${to}`);
    return new SpanMetricsConnector(settings, config, next);
  },
};
