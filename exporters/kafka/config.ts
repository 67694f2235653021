/**
 * Config of the kafka exporter: otelcol's kafkaexporter keys, so an otelcol config for it loads
 * unchanged (apart from encodings vigil does not implement, refused by name).
 */
import { z } from 'zod';
import { duration, integer } from '../../config/types.js';
import { kafkaClientFields } from '../../config/kafka-client.js';
import { KAFKA_COMPRESSIONS } from '../../pipeline/kafka/compressions.js';
import { DEFAULT_ENCODING, DEFAULT_TOPIC, encodingSchema, type Encoding } from '../../pipeline/kafka/encoding.js';
import type { Signal } from '../../pdata/payload.js';
import { DEFAULT_TIMEOUT_MS, queueSchema, retrySchema, timeoutSchema } from '../exporterhelper/index.js';

/** otelcol's default: a little under the broker's default message.max.bytes. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;
/** vigil's default is all in-sync replicas (otelcol's is 1): DESIGN.md "Delivery and state". */
export const DEFAULT_REQUIRED_ACKS = -1;

/** otelcol's codecs; kafkajs has gzip, pipeline/kafka/codecs.ts adds snappy, lz4 and zstd. */
const compression = z.enum(KAFKA_COMPRESSIONS, {
  error: (iss) => `expected one of ${KAFKA_COMPRESSIONS.map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(iss.input)}`,
}).default('none');

const producer = z.strictObject({
  max_message_bytes: integer(1).default(DEFAULT_MAX_MESSAGE_BYTES),
  required_acks: z.union([z.literal(-1), z.literal(0), z.literal(1)], { error: 'expected -1 (all replicas), 1 (the leader) or 0 (no answer)' })
    .default(DEFAULT_REQUIRED_ACKS),
  compression,
  compression_params: z.strictObject({
    /** gzip level 1-9, or -1 for the default; kafkajs' gzip always uses the default level. */
    level: integer(-1, 9).optional(),
  }).optional(),
  /** Accepted for otelcol compatibility; requests are cut by max_message_bytes instead (./encode toRequests). */
  flush_max_messages: integer(0).optional(),
  /** Accepted for otelcol compatibility; whether a topic is created is the broker's setting. */
  allow_auto_topic_creation: z.boolean().optional(),
  /** Accepted for otelcol compatibility; kafkajs does not linger: each export is one request. */
  linger: duration().optional(),
  /** Accepted for otelcol compatibility; kafkajs bounds requests by max_message_bytes per record. */
  max_broker_write_bytes: integer(1).optional(),
});

const signalBlock = z.strictObject({
  topic: z.string().min(1, { error: 'must not be empty' }).optional(),
  encoding: encodingSchema.optional(),
});

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  ...kafkaClientFields,
  /** One topic for every signal (otelcol's older top-level key); a signal block's topic wins. */
  topic: z.string().min(1, { error: 'must not be empty' }).optional(),
  /** One encoding for every signal (otelcol's older top-level key); a signal block's encoding wins. */
  encoding: encodingSchema.optional(),
  traces: signalBlock.optional(),
  metrics: signalBlock.optional(),
  logs: signalBlock.optional(),
  partition_traces_by_id: z.boolean().default(false),
  producer: producer.prefault({}),
  timeout: timeoutSchema(DEFAULT_TIMEOUT_MS),
  retry_on_failure: retrySchema.prefault({}),
  sending_queue: queueSchema.prefault({}),
});

/** The parsed kafka exporter config. */
export type Config = z.infer<typeof configSchema>;

/** Where and how one signal is written, after the per-signal / top-level / default precedence. */
export function destination(config: Config, signal: Signal): { topic: string; encoding: Encoding } {
  return {
    topic: config[signal]?.topic ?? config.topic ?? DEFAULT_TOPIC[signal],
    encoding: config[signal]?.encoding ?? config.encoding ?? DEFAULT_ENCODING,
  };
}
