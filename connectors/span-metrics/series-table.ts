/**
 * The series of one metric under one resource, keyed by their dimension values, with otelcol's
 * cardinality limit: once `limit` series exist, every new key lands in one overflow series whose
 * only attribute is `otel.metric.overflow: true` (the OpenTelemetry SDKs' convention).
 */
import type { AttributeValue } from '../../pdata/index.js';

/** The attribute (and key) of the series that takes what exceeds the cardinality limit. */
export const OVERFLOW_KEY = 'otel.metric.overflow';

/** A series' attributes, in the order otelcol writes them. */
export type SeriesAttributes = Record<string, AttributeValue>;

/** An exemplar kept for a data point until the next flush. */
export interface Exemplar {
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly value: number;
}

/** What every series has besides its aggregate. */
export interface SeriesBase {
  readonly attributes: SeriesAttributes;
  readonly startTimeUnixNano: bigint;
  lastSeenMs: number;
  exemplars: Exemplar[];
}

/** Series of one kind (sums, explicit or exponential histograms), created by `make`. */
export class SeriesTable<S extends SeriesBase> {
  readonly series = new Map<string, S>();

  constructor(
    private readonly limit: number,
    private readonly make: (attributes: SeriesAttributes, startTimeUnixNano: bigint, lastSeenMs: number) => S,
  ) {}

  /** The existing series for `key`, marked seen at `nowMs`; undefined when there is none yet (then call getOrCreate). */
  seen(key: string, nowMs: number): S | undefined {
    const s = this.series.get(key);
    if (s !== undefined) s.lastSeenMs = nowMs;
    return s;
  }

  /** The series for `key` (made with `attributes()` when new) and whether the cardinality limit sent it to the overflow series. */
  getOrCreate(key: string, attributes: () => SeriesAttributes, startTimeUnixNano: bigint, nowMs: number): [S, boolean] {
    let s = this.series.get(key);
    let overflow = false;
    if (s === undefined) {
      if (this.limit > 0 && this.series.size >= this.limit) {
        overflow = true;
        s = this.series.get(OVERFLOW_KEY);
        if (s !== undefined) return [s, true]; // as otelcol: the overflow series' last-seen is not refreshed here
        s = this.make({ [OVERFLOW_KEY]: true }, startTimeUnixNano, nowMs);
        this.series.set(OVERFLOW_KEY, s);
      } else {
        s = this.make(attributes(), startTimeUnixNano, nowMs);
        this.series.set(key, s);
      }
    }
    s.lastSeenMs = nowMs;
    return [s, overflow];
  }

  /** Puts a checkpointed series back under `key`, without the cardinality check (the checkpoint kept within it). */
  restore(key: string, attributes: SeriesAttributes, startTimeUnixNano: bigint, lastSeenMs: number): S {
    const s = this.make(attributes, startTimeUnixNano, lastSeenMs);
    this.series.set(key, s);
    return s;
  }

  /** Forgets every exemplar (they belong to one flush interval). */
  clearExemplars(): void {
    for (const s of this.series.values()) s.exemplars = [];
  }

  /** Drops series not seen for `expirationMs` (series_expiration). */
  expire(expirationMs: number, nowMs: number): void {
    if (expirationMs <= 0) return;
    for (const [k, s] of this.series) if (nowMs - s.lastSeenMs >= expirationMs) this.series.delete(k);
  }
}

/** Adds an exemplar unless the point already has `max`. */
export function addExemplar(s: SeriesBase, max: number, traceId: Uint8Array, spanId: Uint8Array, value: number): void {
  if (s.exemplars.length >= max) return;
  s.exemplars.push({ traceId: traceId.slice(), spanId: spanId.slice(), value });
}
