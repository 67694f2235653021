/**
 * Config of the otlp receiver: the OpenTelemetry Collector's otlpreceiver keys, so an otelcol
 * config for it loads unchanged. A protocol left out of `protocols` is not started; a protocol
 * given as `{}` or with no value (`grpc:`) runs with its defaults.
 */
import { z } from 'zod';
import { duration, endpoint, integer } from '../../config/types.js';

export const DEFAULT_GRPC_ENDPOINT = 'localhost:4317';
export const DEFAULT_HTTP_ENDPOINT = 'localhost:4318';
/** otelcol's default, the gRPC ecosystem's usual limit. */
export const DEFAULT_MAX_RECV_MSG_SIZE_MIB = 4;
/** The OTLP spec recommends servers accept messages of at least this size. */
export const MAX_RECV_MSG_SIZE_MIB = 64;
/** The OTLP spec's recommended default limit for HTTP bodies, before and after decompression. */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 20 * 1024 * 1024;

const keepalive = z.strictObject({
  server_parameters: z.strictObject({
    max_connection_idle: duration().optional(),
    max_connection_age: duration().optional(),
    max_connection_age_grace: duration().optional(),
    time: duration().optional(),
    timeout: duration().optional(),
  }).optional(),
  enforcement_policy: z.strictObject({
    min_time: duration().optional(),
    permit_without_stream: z.boolean().optional(),
  }).optional(),
});

const grpc = z.strictObject({
  endpoint: endpoint().default(DEFAULT_GRPC_ENDPOINT),
  // Only TCP: a unix socket would need a path endpoint, which nothing asked for yet.
  transport: z.literal('tcp', { error: 'only "tcp" is supported' }).default('tcp'),
  max_recv_msg_size_mib: integer(1, MAX_RECV_MSG_SIZE_MIB).default(DEFAULT_MAX_RECV_MSG_SIZE_MIB),
  max_concurrent_streams: integer(1, 2 ** 31 - 1).optional(),
  /** Accepted for otelcol compatibility; payloads carry no client metadata yet. */
  include_metadata: z.boolean().default(false),
  keepalive: keepalive.optional(),
});

const cors = z.strictObject({
  allowed_origins: z.array(z.string()).default([]),
  allowed_headers: z.array(z.string()).default([]),
  max_age: integer(0).optional(),
});

const urlPath = (fallback: string) =>
  z.string().startsWith('/', { error: 'must start with "/"' }).default(fallback);

const http = z.strictObject({
  endpoint: endpoint().default(DEFAULT_HTTP_ENDPOINT),
  max_request_body_size: integer(1).default(DEFAULT_MAX_REQUEST_BODY_SIZE),
  /** Accepted for otelcol compatibility; payloads carry no client metadata yet. */
  include_metadata: z.boolean().default(false),
  cors: cors.optional(),
  traces_url_path: urlPath('/v1/traces'),
  metrics_url_path: urlPath('/v1/metrics'),
  logs_url_path: urlPath('/v1/logs'),
});

// `grpc:` with no value is YAML null: otelcol reads it as "enabled with defaults".
const nullAsEmpty = (v: unknown): unknown => (v === null ? {} : v);

export const configSchema = z.strictObject({
  protocols: z.strictObject({
    grpc: z.preprocess(nullAsEmpty, grpc).optional(),
    http: z.preprocess(nullAsEmpty, http).optional(),
  }, { error: 'expected a map enabling "grpc" and/or "http"' }).refine((p) => p.grpc !== undefined || p.http !== undefined, {
    error: 'must enable at least one of "grpc" and "http"',
  }),
});

/** The parsed otlp receiver config. */
export type Config = z.infer<typeof configSchema>;
/** The gRPC protocol's parsed settings. */
export type GrpcConfig = z.infer<typeof grpc>;
/** The HTTP protocol's parsed settings. */
export type HttpConfig = z.infer<typeof http>;
/** The HTTP protocol's CORS settings. */
export type CorsConfig = z.infer<typeof cors>;
