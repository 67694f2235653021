/**
 * Cumulative points into increases. Per series the last point is kept (and checkpointed); the
 * next point's increase is the difference. A counter reset — a new start time, or a value or
 * bucket that went down — makes the new point's whole value the increase (the counter restarted
 * from 0 at its start time), as Prometheus' `increase` treats a drop.
 */
import type { DataPointView } from '../../pdata/index.js';
import { increase, totalOf, type Dist } from './distribution.js';

/** A calls count or a duration distribution. */
export type Sample = number | Dist;

/** The last point of a cumulative series, as checkpointed. */
export interface LastPoint {
  /** start_time_unix_nano as a decimal string ('0' when unset). */
  readonly start: string;
  readonly timeMs: number;
  readonly sample: Sample;
}

/** What a point adds to its window, and what to remember for its series. */
export interface Step {
  /** The increase since the previous point; undefined when there is none to count. */
  readonly increase: Sample | undefined;
  /** The series' new last point (unchanged for a stale point). */
  readonly last: LastPoint | undefined;
  readonly reset: boolean;
}

/** The sample of a calls (sum) or duration (histogram) point, or undefined for other shapes. */
export function sampleOf(p: DataPointView): Sample | undefined {
  if (p.type === 'sum') return p.value;
  if (p.type === 'histogram' && p.bucketCounts && p.explicitBounds && p.bucketCounts.length === p.explicitBounds.length + 1) {
    return { kind: 'explicit', bounds: p.explicitBounds, counts: p.bucketCounts };
  }
  if (p.type === 'exponential_histogram' && p.scale !== undefined) {
    return {
      kind: 'exponential', scale: p.scale, zeroCount: p.zeroCount ?? 0, zeroThreshold: p.zeroThreshold ?? 0,
      positive: { offset: p.positive?.offset ?? 0, counts: p.positive?.bucketCounts ?? [] },
      negative: { offset: p.negative?.offset ?? 0, counts: p.negative?.bucketCounts ?? [] },
    };
  }
  return undefined;
}

const diff = (cur: Sample, prev: Sample): Sample | undefined => {
  if (typeof cur === 'number' || typeof prev === 'number') {
    return typeof cur === 'number' && typeof prev === 'number' && cur >= prev ? cur - prev : undefined;
  }
  return increase(cur, prev);
};

/**
 * One cumulative point of a series against its last one. A series' first point counts whole only
 * when its start time is set and at most `windowMs` before it (the series began then; otherwise
 * the processor joined mid-stream and the point is only the baseline).
 */
export function step(cur: Sample, start: bigint, timeMs: number, prev: LastPoint | undefined, windowMs: number): Step {
  const last: LastPoint = { start: start.toString(), timeMs, sample: cur };
  if (prev === undefined) {
    const startMs = Number(start / 1_000_000n);
    const fresh = start > 0n && timeMs - startMs <= windowMs;
    return { increase: fresh ? cur : undefined, last, reset: false };
  }
  if (timeMs <= prev.timeMs) return { increase: undefined, last: prev, reset: false }; // stale or repeated
  const d = prev.start === last.start ? diff(cur, prev.sample) : undefined;
  if (d !== undefined) return { increase: d, last, reset: false };
  return { increase: cur, last, reset: true };
}

/** True when a sample holds no observation. */
export const isEmpty = (s: Sample): boolean => (typeof s === 'number' ? s === 0 : totalOf(s) === 0);
