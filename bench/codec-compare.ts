/**
 * Why vigil's protobuf decoder is hand-written, kept measured: vigil's decoder against protobufjs
 * on the same request bytes (the realistic 512-span trace request): spans per second and per
 * CPU-second, and heap allocated per span.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { decodeProtobuf, forEachSpanDetailed, makeRealisticTraceRequest } from '../pdata/index.js';
import { otlpRoot, protobufjsSpanCount, requestType } from './protobufjs-otlp.js';

/** One decoder's figures. */
export interface CodecFigures {
  /** By the wall clock: what the core gave this process, on a shared machine less than a core. */
  spansPerSec: number;
  /** Per CPU-second this process used: the decoder's own cost, the figure to compare. */
  spansPerCpuSec: number;
  /** Heap allocated by one request's decode, per span. */
  bytesPerSpan: number;
}

/** The comparison: vigil's decoder, then protobufjs, on the same request. */
export interface CodecComparison {
  spans: number;
  requestBytes: number;
  /** decodeProtobuf: what the receivers run on every request (validate, count the spans). */
  vigilValidate: CodecFigures;
  /** decodeProtobuf, then every span's fields read (forEachSpanDetailed): the work a full decode also does. */
  vigilDetailed: CodecFigures;
  /** protobufjs Type.decode: every field into message objects (64-bit integers as Long). */
  protobufjsDecode: CodecFigures;
  /** Type.decode then toObject(): plain objects, 64-bit integers still Long, bytes still Uint8Array. */
  protobufjsToObject: CodecFigures;
  /** Type.decode then toObject({ longs: String }): nanosecond times as decimal strings, as OTLP/JSON and proto-loader users want them. */
  protobufjsToObjectLongs: CodecFigures;
}

const KEYS = ['vigilValidate', 'vigilDetailed', 'protobufjsDecode', 'protobufjsToObject', 'protobufjsToObjectLongs'] as const;
type CodecKey = (typeof KEYS)[number];
const SLICES = 8;
const ALLOC_SAMPLES = 11;
const LONGS_AS_STRINGS = { longs: String };

/**
 * Heap allocated by one call: the growth of the used heap across it, plus what each GC that ran
 * during it freed. A GC may also free garbage left by the call before, which is about what this
 * call leaves to the next one, so the median of a few samples is close to the true figure.
 */
function allocated(fn: () => unknown): number {
  const samples: number[] = [];
  for (let i = 0; i < ALLOC_SAMPLES; i++) {
    const gcs = new GCProfiler();
    gcs.start();
    const before = getHeapStatistics().used_heap_size;
    const kept = fn();
    const after = getHeapStatistics().used_heap_size;
    let freed = 0;
    for (const gc of gcs.stop()?.statistics ?? []) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    if (kept !== undefined) samples.push(after - before + freed);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

/** Calls, wall time and CPU time one decoder has used so far. */
interface Tally { runs: number; wallMs: number; cpuMs: number }

/** Runs `fn` until it has used `ms` of this process's CPU (GC helper threads included), adding to `t`. */
function slice(fn: () => unknown, ms: number, t: Tally): void {
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let cpuMs = 0;
  while (cpuMs < ms) {
    fn();
    t.runs++;
    const cpu = process.cpuUsage(cpu0);
    cpuMs = (cpu.user + cpu.system) / 1000;
  }
  t.cpuMs += cpuMs;
  t.wallMs += Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Each decoder's spans per second (wall clock) and per CPU-second, and its allocation per span.
 * They take turns in short slices, so a change in the machine's load hits all of them alike; each
 * gets `minMs` of CPU in all. On a shared machine the wall clock also counts time the core spent on
 * other work, the CPU time does not.
 */
function measureAll(spans: number, fns: Record<CodecKey, () => unknown>, minMs: number): Record<CodecKey, CodecFigures> {
  const tallies = {} as Record<CodecKey, Tally>;
  const allocs = {} as Record<CodecKey, number>;
  for (const k of KEYS) {
    // warm-up, so V8 has optimised it
    for (let i = 0; i < 20; i++) fns[k]();
    allocs[k] = allocated(fns[k]);
    tallies[k] = { runs: 0, wallMs: 0, cpuMs: 0 };
  }
  for (let s = 0; s < SLICES; s++) for (const k of KEYS) slice(fns[k], minMs / SLICES, tallies[k]);
  const out = {} as Record<CodecKey, CodecFigures>;
  for (const k of KEYS) {
    const t = tallies[k];
    out[k] = { spansPerSec: Math.round((t.runs * spans) / (t.wallMs / 1000)), spansPerCpuSec: Math.round((t.runs * spans) / (t.cpuMs / 1000)), bytesPerSpan: Math.round(allocs[k] / spans) };
  }
  return out;
}

/** Validates, then reads every span in full (attributes included); returns the spans read. */
function detailed(bytes: Uint8Array): number {
  const payload = decodeProtobuf('traces', bytes).payload;
  let n = 0;
  if (payload) forEachSpanDetailed(payload, () => { n++; });
  return n;
}

/** One run of the five decoders on a `spans`-span request, each for `minMs` of CPU time. */
export function compareCodecs(spans = 512, minMs = 400): CodecComparison {
  const bytes = makeRealisticTraceRequest(spans);
  const type = requestType(otlpRoot(), 'traces');
  return {
    spans, requestBytes: bytes.length,
    ...measureAll(spans, {
      vigilValidate: () => decodeProtobuf('traces', bytes),
      vigilDetailed: () => detailed(bytes),
      protobufjsDecode: () => type.decode(bytes),
      protobufjsToObject: () => type.toObject(type.decode(bytes)),
      protobufjsToObjectLongs: () => type.toObject(type.decode(bytes), LONGS_AS_STRINGS),
    }, minMs),
  };
}

/** Span counts of the same request by both decoders (the comparison is only fair when they agree). */
export function spanCounts(spans = 512): { vigil: number; protobufjs: number; protobufjsObject: number } {
  const bytes = makeRealisticTraceRequest(spans);
  const type = requestType(otlpRoot(), 'traces');
  const decoded = type.decode(bytes);
  return {
    vigil: decodeProtobuf('traces', bytes).payload?.itemCount ?? 0,
    protobufjs: protobufjsSpanCount(decoded),
    protobufjsObject: protobufjsSpanCount(type.toObject(decoded, LONGS_AS_STRINGS)),
  };
}

/** The median of three comparisons, per decoder and figure, as one run is noisy. */
export function medianComparison(runs: readonly CodecComparison[]): CodecComparison {
  const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const first = runs[0]!;
  const out: CodecComparison = { ...first };
  for (const k of KEYS) {
    out[k] = { spansPerSec: mid(runs.map((r) => r[k].spansPerSec)), spansPerCpuSec: mid(runs.map((r) => r[k].spansPerCpuSec)), bytesPerSpan: mid(runs.map((r) => r[k].bytesPerSpan)) };
  }
  return out;
}
