/**
 * The embedded stage log: bounded, partitioned, keyed, acknowledged, in process memory.
 * A record stays counted against the byte budget until it is acknowledged — its handler resolved
 * and every hold on it released (./delivery) — so the budget bounds everything between the
 * receiver's answer and the exporters' acknowledgement, held data included.
 */
import type { Logger } from 'pino';
import { backoffDelay, jitteredBelow } from './backoff.js';
import { Acknowledgement, deliveryOf } from './delivery.js';
import { isPermanent, messageOf, QueueFullError, UnavailableError } from './errors.js';
import type { Payload } from '../pdata/payload.js';
import { partitionOf } from '../pdata/index.js';
import type { DeliveryHandler, PartitionHooks, StageLog, StageLogStats, StageRecord } from './stage-log.js';
import type { SelfMetrics } from './telemetry.js';

/** Settings of the in-memory log (`service.queue.memory`). */
export interface MemoryLogConfig {
  readonly maxSizeBytes: number;
  readonly partitions: number;
  /** Records of one partition delivered concurrently; the batch processor needs many in flight. */
  readonly maxInFlightPerPartition?: number;
}

const DEFAULT_IN_FLIGHT = 256;
const RETRY_AFTER_FULL_MS = 1000;
/** Redelivery after a retryable failure: within [d/2, d] for d = 100 ms · 2^(n−1), at most 5 s. */
const REDELIVERY = jitteredBelow({ initialMs: 100, multiplier: 2, maxMs: 5000, jitter: 0.5 });

interface Entry {
  readonly payload: Payload;
  /** Position in its partition, for Delivery.offset. */
  readonly offset: bigint;
  attempts: number;
}

/** One partition: records waiting for delivery, and how many are out with the handler. */
interface Partition {
  readonly waiting: Entry[];
  head: number;
  inFlight: number;
  nextOffset: bigint;
}

/** The in-process implementation of StageLog. */
export class MemoryLog implements StageLog {
  readonly partitions: number;
  private readonly parts: Partition[];
  private readonly maxInFlight: number;
  private handler: DeliveryHandler | undefined;
  private hooks: PartitionHooks | undefined;
  private consuming = false;
  /** Records not yet acknowledged (waiting, in flight or held). */
  private records = 0;
  /** Records whose handler has not resolved yet (waiting or in flight): held records are not active. */
  private active = 0;
  private bytes = 0;
  private draining = false;
  private stopped = false;
  private idleWaiters: Array<{ activeOnly: boolean; wake: () => void }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private warnedFull = false;

  constructor(
    readonly name: string,
    private readonly config: MemoryLogConfig,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
  ) {
    this.partitions = config.partitions;
    this.maxInFlight = config.maxInFlightPerPartition ?? DEFAULT_IN_FLIGHT;
    this.parts = Array.from({ length: config.partitions }, () => ({ waiting: [], head: 0, inFlight: 0, nextOffset: 0n }));
  }

  async append(records: readonly StageRecord[]): Promise<void> {
    let size = 0;
    for (const r of records) size += r.payload.bytes.byteLength;
    this.checkRoom(size);
    this.warnedFull = false;
    for (const r of records) {
      const p = this.parts[r.partition ?? partitionOf(r.key, this.partitions)]!;
      p.waiting.push({ payload: r.payload, offset: p.nextOffset++, attempts: 0 });
      this.records++;
      this.active++;
      this.bytes += r.payload.bytes.byteLength;
    }
    this.publishSize();
    for (let i = 0; i < this.partitions; i++) this.pump(i);
  }

  /** One instance owns every partition: `hooks.assigned` gets them all before the first delivery. */
  async consume(handler: DeliveryHandler, hooks?: PartitionHooks): Promise<void> {
    if (this.consuming) throw new Error(`stage log ${this.name} already has a consumer`);
    this.consuming = true;
    this.hooks = hooks;
    await hooks?.assigned?.(this.allPartitions());
    this.handler = handler;
    for (let i = 0; i < this.partitions; i++) this.pump(i);
  }

  /**
   * Waits until every accepted record was handled, tells the hooks the partitions are revoked (so
   * processors flush what they hold: nothing redelivers it here), then waits for the holds.
   */
  async drain(deadline: number): Promise<number> {
    this.draining = true;
    await this.idle(deadline, true);
    if (this.handler) {
      await this.hooks?.revoked?.(this.allPartitions(), { redelivered: false }).catch((err: unknown) => {
        this.logger.warn({ log: this.name, err: messageOf(err) }, 'partition revocation hook failed');
      });
    }
    await this.idle(deadline, false);
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.records > 0) this.logger.error({ log: this.name, records: this.records }, 'stage log drain deadline passed; records not delivered');
    return this.records;
  }

  /** Resolves once no record is active (`activeOnly`) or none is unacknowledged, or at the deadline. */
  private idle(deadline: number, activeOnly: boolean): Promise<void> {
    if ((activeOnly ? this.active : this.records) === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      this.idleWaiters.push({ activeOnly, wake: () => { clearTimeout(timer); resolve(); } });
    });
  }

  notReadyReasons(): string[] {
    return [];
  }

  checkRoom(bytes: number): void {
    if (this.draining) throw new UnavailableError(`stage log ${this.name} is draining`, RETRY_AFTER_FULL_MS);
    if (this.bytes + bytes > this.config.maxSizeBytes) {
      if (!this.warnedFull) {
        this.warnedFull = true;
        this.logger.warn({ log: this.name, bytes: this.bytes, capacity: this.config.maxSizeBytes }, 'stage log full, refusing data');
      }
      throw new QueueFullError(`stage log ${this.name} is full (${this.bytes} of ${this.config.maxSizeBytes} bytes)`, RETRY_AFTER_FULL_MS);
    }
  }

  stats(): StageLogStats {
    return { records: this.records, bytes: this.bytes, capacityBytes: this.config.maxSizeBytes };
  }

  private allPartitions(): number[] {
    return Array.from({ length: this.partitions }, (_, i) => i);
  }

  /** Hands waiting records of one partition to the handler, up to the in-flight cap. */
  private pump(index: number): void {
    const handler = this.handler;
    if (!handler || this.stopped) return;
    const p = this.parts[index]!;
    while (p.inFlight < this.maxInFlight && p.head < p.waiting.length) {
      const entry = p.waiting[p.head]!;
      p.waiting[p.head++] = undefined as unknown as Entry; // let the payload be collected once acked
      p.inFlight++;
      this.deliver(handler, index, p, entry);
    }
    if (p.head === p.waiting.length) {
      p.waiting.length = 0;
      p.head = 0;
    } else if (p.head > 1024) {
      p.waiting.splice(0, p.head);
      p.head = 0;
    }
  }

  private deliver(handler: DeliveryHandler, index: number, p: Partition, entry: Entry): void {
    entry.attempts++;
    const ack = new Acknowledgement(() => this.acknowledge(entry));
    handler(entry.payload, deliveryOf(this.name, index, entry.offset, false, ack)).then(
      () => {
        this.handled(index, p);
        ack.settle();
      },
      (err: unknown) => {
        ack.abandon();
        if (isPermanent(err)) {
          this.metrics.stageLogDropped.inc({ log: this.name });
          this.logger.warn({ log: this.name, err: messageOf(err), items: entry.payload.itemCount }, 'dropping data after a permanent error');
          this.handled(index, p);
          this.acknowledge(entry);
          return;
        }
        this.redeliverLater(handler, index, p, entry, err);
      },
    );
  }

  /** Keeps the record (and its bytes) and tries again with exponential backoff. */
  private redeliverLater(handler: DeliveryHandler, index: number, p: Partition, entry: Entry, err: unknown): void {
    if (this.stopped) return;
    this.metrics.stageLogRedelivered.inc({ log: this.name });
    if (entry.attempts === 1) this.logger.warn({ log: this.name, err: messageOf(err) }, 'delivery failed, will retry');
    const delay = backoffDelay(REDELIVERY, entry.attempts);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) this.deliver(handler, index, p, entry);
    }, delay);
    this.timers.add(timer);
  }

  /** The handler is done with a record: its place in the window is free (it may still be held). */
  private handled(index: number, p: Partition): void {
    p.inFlight--;
    this.active--;
    this.wakeIdle();
    this.pump(index);
  }

  /** A record is acknowledged: its bytes leave the budget. */
  private acknowledge(entry: Entry): void {
    this.records--;
    this.bytes -= entry.payload.bytes.byteLength;
    this.publishSize();
    this.wakeIdle();
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const keep = this.idleWaiters.filter((w) => (w.activeOnly ? this.active : this.records) > 0);
    const wake = this.idleWaiters.filter((w) => !keep.includes(w));
    this.idleWaiters = keep;
    for (const w of wake) w.wake();
  }

  private publishSize(): void {
    this.metrics.stageLogRecords.set({ log: this.name }, this.records);
    this.metrics.stageLogBytes.set({ log: this.name }, this.bytes);
  }
}
