/** Config of the otlp_http exporter: otelcol's otlphttpexporter keys (confighttp client + exporterhelper). */
import { z } from 'zod';
import { tlsSchema } from '../../config/tls.js';
import { duration, integer } from '../../config/types.js';
import { headersSchema, queueSchema, retrySchema, timeoutSchema } from '../exporterhelper/index.js';
import type { Signal } from '../../pdata/payload.js';

/** otelcol's defaults. */
export const DEFAULT_ENCODING = 'proto';
export const DEFAULT_COMPRESSION = 'gzip';
/** confighttp's client timeout, which otlphttp uses instead of exporterhelper's 5s. */
export const DEFAULT_TIMEOUT_MS = 30_000;

const url = (what: string) => z.string().refine((u) => {
  try {
    const p = new URL(u);
    return p.protocol === 'http:' || p.protocol === 'https:';
  } catch {
    return false;
  }
}, { error: (iss) => `expected an http:// or https:// URL for ${what}, got ${JSON.stringify(iss.input)}` });

const compression = z.string().default(DEFAULT_COMPRESSION).refine((c) => ['gzip', 'deflate', 'none', ''].includes(c), {
  error: (iss) => `compression ${JSON.stringify(iss.input)} is not supported: use "gzip", "deflate" or "none"`,
});

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  /** Base URL; /v1/traces, /v1/metrics, /v1/logs are appended. */
  endpoint: url('endpoint').optional(),
  traces_endpoint: url('traces_endpoint').optional(),
  metrics_endpoint: url('metrics_endpoint').optional(),
  logs_endpoint: url('logs_endpoint').optional(),
  encoding: z.enum(['proto', 'json'], { error: 'expected "proto" or "json"' }).default(DEFAULT_ENCODING),
  compression,
  headers: headersSchema,
  timeout: timeoutSchema(DEFAULT_TIMEOUT_MS),
  tls: tlsSchema.prefault({}),
  retry_on_failure: retrySchema.prefault({}),
  sending_queue: queueSchema.prefault({}),
  max_conns_per_host: integer(0).optional(),
  max_idle_conns: integer(0).optional(),
  max_idle_conns_per_host: integer(0).optional(),
  idle_conn_timeout: duration().optional(),
  disable_keep_alives: z.boolean().default(false),
  /** Accepted for otelcol compatibility; Node sizes its buffers itself. */
  read_buffer_size: integer(0).optional(),
  /** Accepted for otelcol compatibility; Node sizes its buffers itself. */
  write_buffer_size: integer(0).optional(),
}).refine((c) => c.endpoint || c.traces_endpoint || c.metrics_endpoint || c.logs_endpoint, {
  error: 'set endpoint (or traces_endpoint, metrics_endpoint, logs_endpoint)', path: ['endpoint'],
});

/** The parsed otlp_http exporter config. */
export type Config = z.infer<typeof configSchema>;

const PATH: Record<Signal, string> = { traces: 'v1/traces', metrics: 'v1/metrics', logs: 'v1/logs' };

/** The URL a signal is sent to: its own endpoint, else the base endpoint with the signal path. */
export function signalUrl(config: Config, signal: Signal): string | undefined {
  const own = signal === 'traces' ? config.traces_endpoint : signal === 'metrics' ? config.metrics_endpoint : config.logs_endpoint;
  if (own) return own;
  if (!config.endpoint) return undefined;
  return `${config.endpoint.replace(/\/+$/, '')}/${PATH[signal]}`;
}
