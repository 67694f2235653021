/** The event time of a request, for the engine's event-time watermark. */
import type { Payload, Signal } from './payload.js';
import { traceIndexOf } from './trace-index.js';
import { indexRequest } from './tree.js';
import { Reader, uint64BigInt } from './wire.js';

/** The fixed64 tag holding a data point's time and a log record's time (spans: ./trace-index). */
const TIME_TAG: Readonly<Record<Exclude<Signal, 'traces'>, number>> = { metrics: 0x19, logs: 0x09 };
/** A log record without a time falls back to its observed time, as OTLP prescribes. */
const OBSERVED_TAG = 0x59;

/**
 * The latest event time in the request, in unix nanoseconds: the latest span end, data point time or
 * log record time (observed time when the record has none); 0n when there is none.
 */
export function maxEventTime(payload: Payload): bigint {
  if (payload.itemCount === 0) return 0n;
  // Traces: from the request's trace index, which span_metrics and tail_sampling read next.
  if (payload.signal === 'traces') return traceIndexOf(payload).latestEnd;
  const tree = indexRequest(payload.signal, payload.bytes);
  const want = TIME_TAG[payload.signal];
  const logs = payload.signal === 'logs';
  const r = new Reader(payload.bytes);
  let maxHi = 0;
  let maxLo = 0;
  for (const leaf of tree.leaves) {
    r.pos = leaf.start;
    r.end = leaf.end;
    let hi = 0;
    let lo = 0;
    let observedHi = 0;
    let observedLo = 0;
    while (r.pos < leaf.end) {
      const tag = r.uint32();
      if (tag === want) { r.fixed64(); hi = r.hi; lo = r.lo; }
      else if (logs && tag === OBSERVED_TAG) { r.fixed64(); observedHi = r.hi; observedLo = r.lo; }
      else r.skip(tag & 7);
    }
    if (logs && hi === 0 && lo === 0) { hi = observedHi; lo = observedLo; }
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) { maxHi = hi; maxLo = lo; }
  }
  return uint64BigInt(maxLo, maxHi);
}

const NS_PER_MS = 1_000_000n;

/**
 * A data point's window as the events' `window.start` / `window.end` attributes (docs/events.md):
 * ISO 8601, the start absent when the point has none (a gauge).
 */
export function windowAttributes(p: { readonly startTimeUnixNano: bigint; readonly timeUnixNano: bigint }): { 'window.start': string | undefined; 'window.end': string } {
  const iso = (ns: bigint): string => new Date(Number(ns / NS_PER_MS)).toISOString();
  return { 'window.start': p.startTimeUnixNano > 0n ? iso(p.startTimeUnixNano) : undefined, 'window.end': iso(p.timeUnixNano) };
}
