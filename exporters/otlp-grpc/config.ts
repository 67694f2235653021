/** Config of the otlp_grpc exporter: otelcol's otlpexporter keys (configgrpc client + exporterhelper). */
import { z } from 'zod';
import { tlsSchema } from '../../config/tls.js';
import { duration, integer } from '../../config/types.js';
import { DEFAULT_TIMEOUT_MS, headersSchema, queueSchema, retrySchema, timeoutSchema } from '../exporterhelper/index.js';

/** otelcol's default. */
export const DEFAULT_COMPRESSION = 'gzip';

const ENDPOINT = /^(?:(https?):\/\/)?((?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5})\/?$/;

/** Splits `[http(s)://]host:port`; undefined when it is not one. */
export function parseEndpoint(text: string): { scheme: 'http' | 'https' | undefined; target: string } | undefined {
  const m = ENDPOINT.exec(text);
  return m ? { scheme: m[1] as 'http' | 'https' | undefined, target: m[2]! } : undefined;
}

const compression = z.string().default(DEFAULT_COMPRESSION).refine((c) => ['gzip', 'none', ''].includes(c), {
  error: (iss) => `compression ${JSON.stringify(iss.input)} is not supported: use "gzip" or "none"`,
});

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  endpoint: z.string({ error: 'expected the endpoint to send to, like "otelcol:4317"' })
    .refine((e) => parseEndpoint(e) !== undefined, {
      error: (iss) => `expected an endpoint like "otelcol:4317" or "https://otelcol:4317", got ${JSON.stringify(iss.input)}`,
    }),
  tls: tlsSchema.prefault({}),
  compression,
  headers: headersSchema,
  timeout: timeoutSchema(DEFAULT_TIMEOUT_MS),
  retry_on_failure: retrySchema.prefault({}),
  sending_queue: queueSchema.prefault({}),
  /** pick_first (default) or round_robin over the addresses the name resolves to. */
  balancer_name: z.enum(['pick_first', 'round_robin'], { error: 'expected "pick_first" or "round_robin"' }).optional(),
  keepalive: z.strictObject({
    time: duration().optional(),
    timeout: duration().optional(),
    permit_without_stream: z.boolean().default(false),
  }).optional(),
  wait_for_ready: z.boolean().default(false),
  authority: z.string().optional(),
  /** Accepted for otelcol compatibility; grpc-js sizes its buffers itself. */
  read_buffer_size: integer(0).optional(),
  /** Accepted for otelcol compatibility; grpc-js sizes its buffers itself. */
  write_buffer_size: integer(0).optional(),
});

/** The parsed otlp_grpc exporter config. */
export type Config = z.infer<typeof configSchema>;
