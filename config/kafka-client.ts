/**
 * The schema of the Kafka client settings every Kafka component shares (the kafka receiver and
 * exporter, the Kafka stage log), with otelcol's keys: `brokers`, `client_id`, `protocol_version`,
 * `tls`, `auth.sasl`. `kafkaClientFields` is a zod shape to spread into a component's strictObject;
 * pipeline/kafka builds the client from the parsed values.
 */
import * as zlib from 'node:zlib';
import { z } from 'zod';
import { tlsSchema } from './tls.js';

/** True when this Node can compress and decompress zstd (Node 22.15 and later). */
export const ZSTD_AVAILABLE = typeof (zlib as unknown as { zstdCompress?: unknown }).zstdCompress === 'function';

/** otelcol's default broker list. */
export const DEFAULT_BROKERS: readonly string[] = ['localhost:9092'];
/** otelcol's default client id. */
export const DEFAULT_CLIENT_ID = 'otel-collector';

const BROKER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/;

/** SASL mechanisms kafkajs implements, by otelcol's spelling. */
export const MECHANISMS = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const;

const sasl = z.strictObject({
  mechanism: z.string({ error: 'expected a mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512' }).refine((m) => m in MECHANISMS, {
    error: (iss) => `mechanism ${JSON.stringify(iss.input)} is not supported: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
  }),
  username: z.string({ error: 'expected a username' }),
  password: z.string({ error: 'expected a password' }),
  /** Accepted for otelcol compatibility; kafkajs speaks SASL handshake v1 whenever the broker does. */
  version: z.union([z.literal(0), z.literal(1)]).optional(),
});

/** The shape to spread into a component schema: `brokers`, `client_id`, `protocol_version`, `tls`, `auth`. */
export const kafkaClientFields = {
  brokers: z.array(z.string().regex(BROKER, { error: (iss) => `expected a broker like "kafka:9092", got ${JSON.stringify(iss.input)}` }))
    .min(1, { error: 'expected at least one broker' })
    .default([...DEFAULT_BROKERS]),
  client_id: z.string().min(1, { error: 'must not be empty' }).default(DEFAULT_CLIENT_ID),
  /** Accepted for otelcol compatibility; kafkajs negotiates API versions with each broker. */
  protocol_version: z.string().optional(),
  /** Absent: plaintext. Present: TLS, unless `insecure: true` (otelcol's configtls client keys). */
  tls: tlsSchema.optional(),
  auth: z.strictObject({
    sasl: sasl.optional(),
    /** otelcol's deprecated spelling of `sasl` with mechanism PLAIN. */
    plain_text: z.strictObject({ username: z.string(), password: z.string() }).optional(),
  }).refine((a) => !(a.sasl && a.plain_text), { error: 'set sasl or plain_text, not both' }).optional(),
};

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- built only for its inferred type
const clientSchema = z.strictObject(kafkaClientFields);
/** The parsed client settings. */
export type KafkaClientConfig = z.infer<typeof clientSchema>;
