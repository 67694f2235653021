/**
 * The undecided traces of one partition and the decisions already made, with the budget shared by
 * every partition of a processor instance (num_traces and the held bytes).
 */
import type { Hold } from '../../pipeline/delivery.js';
import type { SpanRun } from '../../pdata/trace-index.js';
import type { Decision } from './policies.js';

/** A trace waiting for its decision: its spans (a run per request it arrived in) and the holds on their records. */
export interface PendingTrace {
  readonly key: string;
  /** Not empty: a trace is pending from its first run on. */
  readonly runs: SpanRun[];
  readonly holds: Hold[];
  spanCount: number;
  sizeBytes: number;
  /** The partition's event time when the first span arrived (epoch ms). */
  readonly arrivalMs: number;
  /** The wall time of the first span. */
  readonly arrivalWall: number;
  /** Arrival order over all partitions of the instance: the smallest is the oldest. */
  readonly seq: number;
  /** The event time at which it is decided. */
  deadlineMs: number;
}

/** A decision remembered for late spans. */
export interface Remembered {
  readonly decision: Decision;
  readonly atWall: number;
}

/** What one processor instance may hold, over all its partitions. */
export class Budget {
  traces = 0;
  bytes = 0;
  private arrivals = 0;

  constructor(readonly maxTraces: number, readonly maxBytes: number) {}

  /** True when one more trace or byte would be too many. */
  get full(): boolean {
    return this.traces > this.maxTraces || this.bytes > this.maxBytes;
  }

  /** The arrival number of a new trace. */
  nextSeq(): number {
    return this.arrivals++;
  }

  /** Which limit is reached. */
  get reason(): 'num_traces' | 'held_bytes' {
    return this.traces > this.maxTraces ? 'num_traces' : 'held_bytes';
  }
}

/**
 * Keys in the order they were added, each with a stamp; an entry whose key's current stamp
 * (`current`) differs was removed or added again since, and is skipped. A Map's own order would do,
 * but V8 keeps a deleted entry in the table until its next rehash and `keys().next()` walks over
 * every one of them: with the oldest entries deleted first, each read of the first crossed tens of
 * thousands (5.5 % of the forwarding thread's time on issue 10's chain, in DecisionMemory.set).
 */
export class ArrivalOrder {
  private keys: string[] = [];
  private stamps: number[] = [];
  private head = 0;

  /** Adds `key`; drops the stale entries at the front on the way (each once: amortized O(1)). */
  push(key: string, stamp: number, current: (key: string) => number | undefined): void {
    this.keys.push(key);
    this.stamps.push(stamp);
    this.first(current);
  }

  /** The oldest key whose stamp is current, or undefined. */
  first(current: (key: string) => number | undefined): string | undefined {
    const { keys, stamps } = this;
    while (this.head < keys.length && current(keys[this.head]!) !== stamps[this.head]) this.head++;
    const found = this.head < keys.length ? keys[this.head] : undefined;
    if (this.head > 1024 && this.head * 2 > keys.length) {
      this.keys = keys.slice(this.head);
      this.stamps = stamps.slice(this.head);
      this.head = 0;
    }
    return found;
  }
}

/**
 * Decisions already made, for the spans that arrive after them: at most `capacity`, the least
 * recently decided forgotten first (otelcol keeps decided traces among its num_traces, and in its
 * decision caches).
 */
export class DecisionMemory {
  private readonly map = new Map<string, { readonly remembered: Remembered; readonly stamp: number }>();
  private readonly order = new ArrivalOrder();
  private stamps = 0;
  private readonly stampOf = (key: string): number | undefined => this.map.get(key)?.stamp;

  constructor(private readonly capacity: number) {}

  get(key: string): Remembered | undefined {
    return this.map.get(key)?.remembered;
  }

  /** Remembers a decision; returns the key forgotten to make room, if any. */
  set(key: string, value: Remembered): string | undefined {
    const stamp = this.stamps++;
    this.map.set(key, { remembered: value, stamp });
    this.order.push(key, stamp, this.stampOf);
    if (this.map.size <= this.capacity) return undefined;
    const oldest = this.order.first(this.stampOf)!;
    this.map.delete(oldest);
    return oldest;
  }
}

/** A pending trace's id, a view into the request of its first spans. */
export function traceIdOf(t: PendingTrace): Uint8Array {
  const first = t.runs[0]!;
  return first.index.traceId(first.spans[0]!);
}
