/**
 * The undecided traces of one partition and the decisions already made, with the budget shared by
 * every partition of a processor instance (num_traces and the held bytes).
 */
import type { Hold } from '../../pipeline/delivery.js';
import type { Payload } from '../../pdata/index.js';
import type { Decision } from './policies.js';

/** A trace waiting for its decision: its spans (one request per arrival) and the holds on their records. */
export interface PendingTrace {
  readonly key: string;
  readonly traceId: Uint8Array;
  readonly pieces: Payload[];
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
 * Decisions already made, for the spans that arrive after them: at most `capacity`, the oldest
 * forgotten first (otelcol keeps decided traces among its num_traces, and in its decision caches).
 */
export class DecisionMemory {
  private readonly map = new Map<string, Remembered>();

  constructor(private readonly capacity: number) {}

  get(key: string): Remembered | undefined {
    return this.map.get(key);
  }

  /** Remembers a decision; returns the key forgotten to make room, if any. */
  set(key: string, value: Remembered): string | undefined {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size <= this.capacity) return undefined;
    const oldest = this.map.keys().next().value!;
    this.map.delete(oldest);
    return oldest;
  }
}
