/**
 * The memory queue's stage logs as the main thread sees them when forwarding runs on a thread of
 * its own (`service.queue.memory.forward_thread`). An append copies its records into one buffer and
 * hands it to the forwarding thread, whose memory log (../memory-log) bounds, holds and delivers
 * them; it resolves when that log accepted them, as a local append would, so a receiver's OK means
 * the same thing on both layouts. Nothing is consumed on this side.
 */
import type { Signal } from '../../pdata/payload.js';
import { partitionOf } from '../../pdata/records.js';
import {
  MemoryLimitError, PermanentError, QueueFullError, RetryableError, ShuttingDownError, UnavailableError,
} from '../errors.js';
import type { QueueBackend } from '../queue-backend.js';
import type { DeliveryHandler, StageLog, StageLogStats, StageRecord } from '../stage-log.js';
import type { AppendPart, AppendRefusal } from './messages.js';

/** A refused append is retried by the sender after this, as the memory log's own refusals say. */
const RETRY_AFTER_MS = 1000;

/** Whoever carries appends to the forwarding thread (ForwardThread). */
export interface AppendChannel {
  /** Resolves with the log's size after the append and, if the log refused it, why. */
  append(log: string, signal: Signal, bytes: ArrayBuffer, parts: readonly AppendPart[]): Promise<{ logBytes: number; refused?: AppendRefusal }>;
  /** The log's size as the forwarding thread last reported it (after an append or in its readiness report). */
  logBytes(log: string): number;
}

/** The logs of the memory queue, relayed to the forwarding thread. */
export class RelayQueue implements QueueBackend {
  constructor(private readonly channel: AppendChannel, private readonly config: { readonly partitions: number; readonly maxSizeBytes: number }) {}

  makeLog(name: string, signal: Signal): StageLog {
    return new RelayLog(name, signal, this.config.partitions, this.config.maxSizeBytes, this.channel);
  }

  async start(): Promise<void> {}

  notReadyReasons(): string[] {
    return [];
  }

  async close(): Promise<void> {}
}

/** One stage log's main-thread end: appends only. */
export class RelayLog implements StageLog {
  private appending = 0;
  private draining = false;
  private idle: Array<() => void> = [];

  constructor(
    readonly name: string,
    private readonly signal: Signal,
    readonly partitions: number,
    private readonly capacityBytes: number,
    private readonly channel: AppendChannel,
  ) {}

  async append(records: readonly StageRecord[]): Promise<void> {
    if (this.draining) throw new ShuttingDownError(`stage log ${this.name} is draining`, RETRY_AFTER_MS);
    let size = 0;
    for (const r of records) size += r.payload.bytes.byteLength;
    // One copy into a buffer of their own, transferred: a request's bytes may be a view into a
    // buffer still in use here (the same payload fanned out to another pipeline, grpc-js' reads).
    const bytes = new Uint8Array(size);
    const parts: AppendPart[] = [];
    let at = 0;
    for (const r of records) {
      bytes.set(r.payload.bytes, at);
      at += r.payload.bytes.byteLength;
      parts.push([r.partition ?? partitionOf(r.key, this.partitions), r.payload.bytes.byteLength, r.payload.itemCount]);
    }
    this.appending++;
    try {
      const answer = await this.channel.append(this.name, this.signal, bytes.buffer, parts);
      if (answer.refused) throw refusal(answer.refused);
    } finally {
      if (--this.appending === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  consume(_handler: DeliveryHandler): Promise<void> {
    return Promise.reject(new Error(`bug: stage log ${this.name} is consumed on the forwarding thread`));
  }

  /** Refuses further appends and waits for those under way; resolves with how many were still unanswered at the deadline. */
  async drain(deadline: number): Promise<number> {
    this.draining = true;
    if (this.appending > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.idle.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    return this.appending;
  }

  /** As the memory log's own check, on its size as last reported (at most a readiness interval old). */
  checkRoom(bytes: number): void {
    if (this.draining) throw new ShuttingDownError(`stage log ${this.name} is draining`, RETRY_AFTER_MS);
    const held = this.channel.logBytes(this.name);
    if (held + bytes > this.capacityBytes) {
      throw new QueueFullError(`stage log ${this.name} is full (${held} of ${this.capacityBytes} bytes)`, RETRY_AFTER_MS);
    }
  }

  notReadyReasons(): string[] {
    return [];
  }

  /** The records and bytes are counted by the forwarding thread's log, in its own metrics. */
  stats(): StageLogStats {
    return { records: 0, bytes: this.channel.logBytes(this.name), capacityBytes: this.capacityBytes };
  }
}

/** The forwarding thread's error, rebuilt as the class a receiver maps to its status code. */
function refusal(r: AppendRefusal): Error {
  switch (r.name) {
    case 'QueueFullError': return new QueueFullError(r.message, r.retryAfterMs);
    case 'ShuttingDownError': return new ShuttingDownError(r.message, r.retryAfterMs);
    case 'MemoryLimitError': return new MemoryLimitError(r.message, r.retryAfterMs);
    case 'UnavailableError': return new UnavailableError(r.message, r.retryAfterMs);
    case 'PermanentError': return new PermanentError(r.message);
    default: return new RetryableError(r.message, r.retryAfterMs);
  }
}

/** An error as it crosses to the main thread. */
export function refusalOf(err: unknown): AppendRefusal {
  if (err instanceof Error) {
    const retryAfterMs = err instanceof RetryableError ? err.retryAfterMs : undefined;
    return { name: err.name, message: err.message, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  }
  return { name: 'Error', message: String(err) };
}
