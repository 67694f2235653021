/**
 * The log between two pipeline stages (DESIGN.md "Data flow"). In the embedded default it is a
 * bounded in-process partitioned queue (./memory-log); in production a Kafka topic. The pipeline
 * code sees only this interface.
 */
import type { Payload } from '../pdata/payload.js';
import type { Delivery } from './delivery.js';

/** One record: a payload and the key that chooses its partition (a trace id, a series id). */
export interface StageRecord {
  /** Records with equal keys MUST land on the same partition. Undefined: any partition. */
  readonly key: Uint8Array | undefined;
  /**
   * The partition, when the caller already grouped the payload's keys with `partitionOf` over this
   * log's partition count (a request holding many traces); the log MUST then use it as is.
   */
  readonly partition?: number;
  readonly payload: Payload;
}

/**
 * Called for every record delivered, in offset order per partition (several MAY be in flight).
 * Resolving acknowledges the record once every hold taken through `delivery` is released (the log
 * MAY then forget it or commit its offset). Rejecting with a PermanentError drops it (counted).
 * Rejecting with anything else delivers it again after a backoff, until it is acknowledged or the
 * log is closed.
 */
export type DeliveryHandler = (payload: Payload, delivery: Delivery) => Promise<void>;

/** Why partitions were revoked, so that a processor can choose between flushing and dropping held data. */
export interface Revocation {
  /**
   * True when the log delivers every unacknowledged record again to the partition's next owner
   * (Kafka): held data MAY then be dropped instead of flushed. False when it would be lost (the
   * memory log at shutdown): held data MUST be flushed.
   */
  readonly redelivered: boolean;
}

/** Told when this instance gains or loses partitions (consumer-group rebalances, start, shutdown). */
export interface PartitionHooks {
  /** Before any record of these partitions is delivered. */
  assigned?(partitions: number[]): Promise<void>;
  /**
   * After the last delivery of these partitions settled, while their holds still count: a
   * processor flushes (or, when `redelivered`, drops) what it holds and checkpoints its state.
   */
  revoked?(partitions: number[], why: Revocation): Promise<void>;
}

/** Point-in-time size of a log, for self-metrics and readiness. */
export interface StageLogStats {
  records: number;
  bytes: number;
  capacityBytes: number;
}

export interface StageLog {
  /** `<pipeline>.<stage>`, used in metric labels and topic names. */
  readonly name: string;
  readonly partitions: number;
  /**
   * Appends records. MUST be all-or-nothing: either every record is accepted (in memory) or durable
   * (Kafka, acks=all) when this resolves, or none is visible to consumers and it rejects — with a
   * QueueFullError when full, another RetryableError when the log cannot be reached now.
   */
  append(records: readonly StageRecord[]): Promise<void>;
  /** Starts delivering records to `handler`. At most one consumer per log. */
  consume(handler: DeliveryHandler, hooks?: PartitionHooks): Promise<void>;
  /**
   * Refuses further appends, keeps delivering until every accepted record is acknowledged or
   * `deadline` (epoch ms) passes, then stops delivering. Resolves with how many records were left.
   */
  drain(deadline: number): Promise<number>;
  /**
   * Throws what an append of about `bytes` would be refused with now (QueueFullError when full,
   * UnavailableError while draining), so that a receiver can refuse before it decodes: under
   * overload, decoding what is then refused would take the CPU from what can be accepted.
   */
  checkRoom(bytes: number): void;
  /** Reasons the log cannot take data now (broker unreachable); empty when healthy. */
  notReadyReasons(): string[];
  stats(): StageLogStats;
}
