/**
 * One load phase: warm-up, then a steady window in which acknowledged spans and request latencies
 * (send → OK) are counted. Saturation runs `concurrency` closed-loop streams as fast as acks come
 * back; rate mode issues requests evenly paced at a fixed span rate (open loop, capped in flight).
 */
import { Histogram, type LatencySummary } from './histogram.js';
import type { RequestRing } from './requests.js';
import { grpcSender, httpSender, type Outcome, type Sender, type Transport } from './transports.js';

/** What to run. `targets` are receiver endpoints (host:port); requests are spread over them. */
export interface PhaseSpec {
  transport: Transport;
  targets: string[];
  mode: 'saturation' | 'rate';
  concurrency: number;
  /** Rate mode: spans per second to offer. */
  rateSpansPerSec?: number;
  warmupMs: number;
  durationMs: number;
  /** Which requests: the realistic ring (default) or the analytics chain's fresh whole traces. */
  requests?: 'ring' | 'chain';
  /** Saturation: stop sending once this many spans were sent and not refused (the phase then ends early). */
  maxSpans?: number;
}

/** What a phase measured. Refused and failed requests are not throughput. */
export interface PhaseResult {
  windowSeconds: number;
  /** Spans acknowledged over the whole phase, warm-up included. */
  ackedSpans: number;
  /** Spans acknowledged inside the steady window. */
  windowAckedSpans: number;
  sentRequests: number;
  okRequests: number;
  refusedRequests: number;
  errorRequests: number;
  firstError?: string;
  /** Latency of requests acknowledged inside the window, ms. */
  latency: LatencySummary;
  /** Rate mode: requests sent more than one interval after their slot (the generator or the cap fell behind). */
  lateRequests: number;
}

/** Called at the start and end of the steady window, synchronously, so the caller can sample counters. */
export type MarkHook = (mark: 'start' | 'end') => void;

const REFUSAL_BACKOFF_MS = 50;
const MAX_IN_FLIGHT = 512;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs a phase to completion; every loop ends by the phase deadline plus one request timeout. */
export async function runPhase(spec: PhaseSpec, ring: RequestRing, onMark: MarkHook = () => {}): Promise<PhaseResult> {
  const senders = makeSenders(spec);
  const latency = new Histogram();
  const r: PhaseResult = {
    windowSeconds: 0, ackedSpans: 0, windowAckedSpans: 0, sentRequests: 0, okRequests: 0,
    refusedRequests: 0, errorRequests: 0, latency: latency.summary(), lateRequests: 0,
  };
  const t0 = performance.now();
  const windowStart = t0 + spec.warmupMs;
  const windowEnd = windowStart + spec.durationMs;
  let inWindow = false;
  let next = 0;
  const markTimers = [
    setTimeout(() => { inWindow = true; onMark('start'); }, spec.warmupMs),
    setTimeout(() => { inWindow = false; onMark('end'); }, spec.warmupMs + spec.durationMs),
  ];

  const sendOne = async (sender: Sender): Promise<Outcome> => {
    const body = ring.next ? ring.next() : ring.requests[next++ % ring.requests.length]!;
    r.sentRequests++;
    const start = performance.now();
    const outcome = await sender.send(body);
    const end = performance.now();
    if (outcome.kind === 'ok') {
      r.okRequests++;
      r.ackedSpans += ring.spansPerRequest;
      if (inWindow && end >= windowStart && end < windowEnd) {
        r.windowAckedSpans += ring.spansPerRequest;
        latency.record(end - start);
      }
    } else if (outcome.kind === 'refused') r.refusedRequests++;
    else {
      r.errorRequests++;
      r.firstError ??= outcome.message;
    }
    return outcome;
  };

  try {
    if (spec.mode === 'saturation') await saturate(spec, senders, windowEnd, sendOne, ring.spansPerRequest);
    else await paced(spec, ring, senders, t0, windowEnd, sendOne, () => r.lateRequests++);
  } finally {
    for (const t of markTimers) clearTimeout(t);
    for (const s of senders) s.close();
  }
  // The end mark normally fires on time; if the event loop was too busy, fire it now.
  if (inWindow) { inWindow = false; onMark('end'); }
  r.windowSeconds = spec.durationMs / 1000;
  r.latency = latency.summary();
  return r;
}

function makeSenders(spec: PhaseSpec): Sender[] {
  if (spec.transport === 'http') {
    const perTarget = Math.max(1, Math.ceil(spec.concurrency / spec.targets.length));
    return spec.targets.map((t) => httpSender(t, spec.mode === 'rate' ? MAX_IN_FLIGHT : perTarget));
  }
  // One channel (connection) per stream, as independent SDK exporters would have; rate mode uses them round-robin.
  const channels = Math.max(spec.concurrency, spec.targets.length);
  return Array.from({ length: channels }, (_, i) => grpcSender(spec.targets[i % spec.targets.length]!));
}

async function saturate(spec: PhaseSpec, senders: Sender[], until: number, sendOne: (s: Sender) => Promise<Outcome>, spansPerRequest: number): Promise<void> {
  const limit = spec.maxSpans ?? Number.POSITIVE_INFINITY;
  // Spans sent and not refused: in flight or acknowledged.
  let committed = 0;
  const stream = async (i: number): Promise<void> => {
    const sender = senders[i % senders.length]!;
    while (performance.now() < until && committed < limit) {
      committed += spansPerRequest;
      const outcome = await sendOne(sender);
      if (outcome.kind !== 'ok') {
        committed -= spansPerRequest;
        await sleep(REFUSAL_BACKOFF_MS);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, (_, i) => stream(i)));
}

async function paced(
  spec: PhaseSpec, ring: RequestRing, senders: Sender[], t0: number, until: number,
  sendOne: (s: Sender) => Promise<Outcome>, late: () => void,
): Promise<void> {
  const rate = spec.rateSpansPerSec ?? 0;
  if (!(rate > 0)) throw new Error('rate mode needs rateSpansPerSec > 0');
  const intervalMs = (ring.spansPerRequest / rate) * 1000;
  const pending = new Set<Promise<unknown>>();
  let issued = 0;
  while (performance.now() < until) {
    const now = performance.now();
    const due = Math.floor((now - t0) / intervalMs) + 1;
    while (issued < due && pending.size < MAX_IN_FLIGHT) {
      if (now - (t0 + issued * intervalMs) > intervalMs) late();
      const p = sendOne(senders[issued % senders.length]!).finally(() => pending.delete(p));
      pending.add(p);
      issued++;
    }
    const wait = t0 + issued * intervalMs - performance.now();
    await (pending.size >= MAX_IN_FLIGHT ? Promise.race(pending) : sleep(Math.max(0, wait)));
  }
  await Promise.all(pending);
}
