/**
 * The `service` section: pipelines, extensions, self-telemetry, the shutdown deadline, and the
 * tagged choices of stage log (`queue`) and state store (`state`). Durations come out in ms.
 */
import { z } from 'zod';
import { kafkaClientFields } from './kafka-client.js';
import { selfMetricsSchema } from './self-metrics.js';
import { duration, endpoint, integer } from './types.js';

/** Defaults, named so docs and tests can refer to them. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
export const DEFAULT_QUEUE_MAX_SIZE_MIB = 64;
export const DEFAULT_QUEUE_PARTITIONS = 2;

const idList = (what: string) => z.array(z.string({ error: (iss) => `expected a ${what} id, got ${describeShort(iss.input)}` }));
const describeShort = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : String(v));
const nullAsEmpty = (v: unknown): unknown => (v === null ? {} : v);

/** One pipeline: the ids it receives from, processes with, and exports to. */
export const pipelineSchema = z.strictObject({
  receivers: idList('receiver').min(1, { error: 'a pipeline needs at least one receiver' }),
  processors: idList('processor').default([]),
  exporters: idList('exporter').min(1, { error: 'a pipeline needs at least one exporter' }),
});

const telemetry = z.strictObject({
  logs: z.strictObject({
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  }).prefault({}),
  metrics: z.preprocess(nullAsEmpty, selfMetricsSchema).prefault({}),
});

const memoryQueue = z.strictObject({
  max_size_mib: integer(1, 65_536).default(DEFAULT_QUEUE_MAX_SIZE_MIB),
  partitions: integer(1, 256).default(DEFAULT_QUEUE_PARTITIONS),
  /** Processors, connectors and exporters on a thread of their own (cmd/run.ts); `auto`: when a processor keeps keyed state and there are two cores. */
  forward_thread: z.preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.enum(['auto', 'true', 'false']))
    .transform((v) => (v === 'auto' ? v : v === 'true')).default('auto'),
});

/** The Kafka stage log: the client keys every Kafka component shares, then the topics' and group's. */
const kafkaQueue = z.strictObject({
  ...kafkaClientFields,
  client_id: z.string().min(1, { error: 'must not be empty' }).default('vigil'),
  topic_prefix: z.string().regex(/^[A-Za-z0-9._-]+$/, { error: 'use letters, digits, ".", "_" and "-" (a Kafka topic name)' }).default('vigil'),
  partitions: integer(1, 100_000).default(8),
  replication_factor: integer(1, 32_767).default(1),
  /** kafkajs has gzip; snappy, lz4 and zstd come from pipeline/kafka/codecs.ts (pure JavaScript). */
  compression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'),
  max_message_bytes: integer(1, 2 ** 31 - 1).default(1_000_000),
  group_id: z.string().min(1, { error: 'must not be empty' }).default('vigil'),
  session_timeout: duration().default(30_000),
  /** A pipeline fed only by a forward connector, keyed as its upstream, runs on the upstream's log (pipeline/inline.ts). */
  inline_forward: z.boolean().default(true),
});

const redisState = z.strictObject({
  endpoint: endpoint().default('localhost:6379'),
  password: z.string().optional(),
  db: integer(0, 15).default(0),
  key_prefix: z.string().default('vigil'),
});

/**
 * Checks a tagged choice `{ type: T, T: { … } }` before the union does, so that an unknown type or
 * a settings block of another type is reported by name rather than as a generic mismatch.
 */
function checkTag(what: string, tags: readonly string[]) {
  return (input: unknown, ctx: z.RefinementCtx): unknown => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
    let value = input as Record<string, unknown>;
    let type = value.type;
    // No type and no block of another type: the first (default) type, so `--set service.queue.memory.x=1` works.
    if (type === undefined && !tags.slice(1).some((tag) => tag in value)) {
      type = tags[0];
      value = { ...value, type };
    }
    if (type === undefined) {
      ctx.addIssue({ code: 'custom', path: ['type'], input: value, message: `missing required key "type"; valid types: ${tags.join(', ')}` });
    } else if (!tags.includes(type as string)) {
      ctx.addIssue({ code: 'custom', path: ['type'], input: type, message: `unknown ${what} type ${JSON.stringify(type)}; valid types: ${tags.join(', ')}` });
    }
    for (const tag of tags) {
      if (tag !== type && tag in value && tags.includes(type as string)) {
        ctx.addIssue({ code: 'custom', path: [tag], input: value, message: `a "${tag}" block does not go with type "${String(type)}"; put these settings under "${String(type)}" or set type: ${tag}` });
      }
    }
    return value;
  };
}

const queue = z.preprocess(checkTag('queue', ['memory', 'kafka']), z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory'), memory: z.preprocess(nullAsEmpty, memoryQueue).prefault({}) }),
  z.strictObject({ type: z.literal('kafka'), kafka: z.preprocess(nullAsEmpty, kafkaQueue) }),
]));

const state = z.preprocess(checkTag('state', ['memory', 'redis']), z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory') }),
  z.strictObject({ type: z.literal('redis'), redis: z.preprocess(nullAsEmpty, redisState).prefault({}) }),
]));

/** The schema of the `service` section. */
export const serviceSchema = z.strictObject({
  pipelines: z.record(z.string(), z.preprocess(nullAsEmpty, pipelineSchema)).refine((p) => Object.keys(p).length > 0, {
    error: 'define at least one pipeline',
  }),
  extensions: idList('extension').default([]),
  telemetry: z.preprocess(nullAsEmpty, telemetry).prefault({}),
  shutdown_timeout: duration().default(DEFAULT_SHUTDOWN_TIMEOUT_MS),
  queue: queue.prefault({ type: 'memory' }),
  state: state.prefault({ type: 'memory' }),
});

/** The parsed `service` section, durations in milliseconds. */
export type ServiceSection = z.infer<typeof serviceSchema>;
/** The parsed `service.queue`. */
export type QueueSettings = ServiceSection['queue'];
/** The parsed `service.state`. */
export type StateSettings = ServiceSection['state'];
