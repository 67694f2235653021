/**
 * Config of the kafka receiver: otelcol's kafkareceiver keys, so an otelcol config for it loads
 * unchanged (apart from encodings vigil does not implement, refused by name).
 */
import { z } from 'zod';
import { duration, integer } from '../../config/types.js';
import { kafkaClientFields } from '../../config/kafka-client.js';
import { DEFAULT_ENCODING, DEFAULT_TOPIC, encodingSchema, type Encoding } from '../../pipeline/kafka/encoding.js';
import type { Signal } from '../../pdata/payload.js';

/** otelcol's defaults. */
export const DEFAULT_GROUP_ID = 'otel-collector';
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;
export const DEFAULT_COMMIT_INTERVAL_MS = 1_000;
/** vigil's: records handed to the pipeline and not yet finished, per partition. */
export const DEFAULT_MAX_RECORDS_IN_FLIGHT = 64;

const topicName = z.string().min(1, { error: 'must not be empty' });

const signalBlock = z.strictObject({
  topic: topicName.optional(),
  topics: z.array(topicName).min(1, { error: 'expected at least one topic' }).optional(),
  encoding: encodingSchema.optional(),
}).refine((b) => !(b.topic && b.topics), { error: 'set topic or topics, not both' });

/** How long to wait before handing a record the pipeline refused (retryably) to it again. */
const errorBackoff = z.strictObject({
  /** Accepted for otelcol compatibility: vigil always retries a refused record, it never skips it. */
  enabled: z.boolean().optional(),
  initial_interval: duration().default(100),
  max_interval: duration().default(10_000),
  multiplier: z.number().min(1, { error: 'must be at least 1' }).default(2),
  randomization_factor: z.number().min(0, { error: 'must be at least 0' }).max(1, { error: 'must be at most 1' }).default(0.5),
  /** Accepted for otelcol compatibility: vigil never gives a retryable record up. */
  max_elapsed_time: duration().optional(),
}).refine((b) => b.initial_interval > 0, { error: 'must be more than 0', path: ['initial_interval'] })
  .refine((b) => b.max_interval >= b.initial_interval, { error: 'must not be less than initial_interval', path: ['max_interval'] });

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  ...kafkaClientFields,
  /** One topic for every signal (otelcol's older top-level key); a signal block's topic wins. */
  topic: topicName.optional(),
  /** One encoding for every signal (otelcol's older top-level key); a signal block's encoding wins. */
  encoding: encodingSchema.optional(),
  traces: signalBlock.optional(),
  metrics: signalBlock.optional(),
  logs: signalBlock.optional(),
  group_id: z.string().min(1, { error: 'must not be empty' }).default(DEFAULT_GROUP_ID),
  initial_offset: z.enum(['latest', 'earliest'], { error: 'expected "latest" or "earliest"' }).default('latest'),
  session_timeout: duration().default(DEFAULT_SESSION_TIMEOUT_MS),
  heartbeat_interval: duration().default(DEFAULT_HEARTBEAT_INTERVAL_MS),
  /**
   * Accepted for otelcol compatibility; vigil marks after the pipeline accepted a record, always (see
   * README). No default: absent means the user did not set it, and vigil then says nothing about it.
   */
  message_marking: z.strictObject({
    after: z.boolean().default(false),
    on_error: z.boolean().default(false),
    on_permanent_error: z.boolean().optional(),
  }).optional(),
  /** `interval`: how often finished offsets are committed. Committing is never turned off. */
  autocommit: z.strictObject({
    enable: z.boolean().default(true),
    interval: duration().default(DEFAULT_COMMIT_INTERVAL_MS),
  }).refine((a) => a.interval > 0, { error: 'must be more than 0', path: ['interval'] }).prefault({}),
  error_backoff: errorBackoff.prefault({}),
  /** vigil's: records of one partition handed to the pipeline and not finished yet. */
  max_records_in_flight: integer(1, 10_000).default(DEFAULT_MAX_RECORDS_IN_FLIGHT),
}).refine((c) => c.heartbeat_interval < c.session_timeout, {
  error: 'must be less than session_timeout', path: ['heartbeat_interval'],
});

/** The parsed kafka receiver config. */
export type Config = z.infer<typeof configSchema>;

/** The topics and encoding of one signal, after the per-signal / top-level / default precedence. */
export function sourceOf(config: Config, signal: Signal): { topics: string[]; encoding: Encoding } {
  const block = config[signal];
  const topics = block?.topics ?? (block?.topic ? [block.topic] : config.topic ? [config.topic] : [DEFAULT_TOPIC[signal]]);
  return { topics, encoding: block?.encoding ?? config.encoding ?? DEFAULT_ENCODING };
}
