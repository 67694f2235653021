/**
 * Issue 11's speed and memory figures (`npm run bench -- --only anomaly`), in this process, one
 * thread, so CPU-seconds are one core's:
 * - the anomaly processor's path on OTLP input: protobuf requests of 500 gauge points decoded and
 *   consumed by the real processor (per-point views, the detectors, the score gauges built,
 *   checkpoints every 5 s to the memory store), points per CPU-second, default detectors and
 *   without the isolation forest;
 * - memory per tracked series (heap plus typed-array buffers, after a full GC): the anomaly models
 *   with and without the forest, and the baseline processor's baselines, each after enough points
 *   to fill its windows;
 * - 100,000 series in one processor: an hour of 1-minute points each through the same path; and
 *   the same through a running daemon (anomaly-daemon.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { parseComponentId, type Consumer, type Host } from '../pipeline/component.js';
import { Acknowledgement, deliveryOf } from '../pipeline/delivery.js';
import { MemoryStore } from '../pipeline/state/memory-store.js';
import { decodeProtobuf, MetricsBuilder, type Payload } from '../pdata/index.js';
import { SelfMetrics } from '../pipeline/telemetry.js';
import { configSchema, modelOptions } from '../processors/anomaly/config.js';
import { createAnomaly } from '../processors/anomaly/processor.js';
import { SeriesModel } from '../processors/anomaly/series-model.js';
import { configSchema as baselineSchema } from '../processors/baseline/config.js';
import { SeriesBaseline } from '../processors/baseline/series-baseline.js';
import { baselineOptions } from '../processors/baseline/worker.js';
import { anomalyDaemon, type AnomalyDaemonBench } from './anomaly-daemon.js';

/** What the scenario measured. */
export interface AnomalyBench {
  /** Points per CPU-second through decode + the processor, by detector set. */
  processor: Array<{ detectors: string; series: number; points: number; perCpuSecond: number }>;
  /** Bytes (heap + array buffers) per tracked series, by model, with the points each had learnt. */
  memory: Array<{ model: string; series: number; pointsEach: number; bytesPerSeries: number }>;
  /** 100,000 series in one processor (default detectors); `scored`: score points it emitted (every point of every series when none was refused). */
  many: { series: number; pointsEach: number; perCpuSecond: number; bytesPerSeries: number; heapMiB: number; rssMiB: number; scored: number };
  /** The same series through a running daemon (anomaly-daemon.ts). */
  daemon: AnomalyDaemonBench;
}

const MINUTE = 60_000;
const PER_REQUEST = 500;
const T0 = Date.UTC(2026, 10, 1);

/** A wave with deterministic noise: what every model sees. */
const valueOf = (s: number, i: number): number => 100 + 10 * Math.sin(i / 50 + s) + 5 * Math.sin(i * 12.9898 + s * 78.233);

/** A full GC (the flag is set at run time, so `npm run bench` needs no node flag). */
function gcNow(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => { gc(); gc(); };
}
const gc = gcNow();
/** A full GC once the buffers freed before are swept too (V8 frees them in the background). */
async function settle(): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 500));
  gc();
}
/** What a model costs: the heap and the typed arrays' buffers (outside the heap). */
const used = (): number => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
const cpuSeconds = (since: NodeJS.CpuUsage): number => { const c = process.cpuUsage(since); return (c.user + c.system) / 1e6; };

/** The OTLP requests of tick `i` (one point of each of `series` series), as protobuf bytes. */
function tickRequests(series: number, i: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let from = 0; from < series; from += PER_REQUEST) {
    const b = new MetricsBuilder();
    const scope = b.scope({ 'service.name': 'bench' }, { name: 'bench' });
    for (let s = from; s < Math.min(series, from + PER_REQUEST); s++) {
      scope.gauge({ name: 'queue.depth' }, { attributes: { series: `s${s}` }, timeUnixNano: BigInt(T0 + i * MINUTE) * 1_000_000n, value: valueOf(s, i) });
    }
    out.push(b.build()!.bytes);
  }
  return out;
}

/** A consumer that counts the metric points it gets and drops them: the scores are made, nothing downstream costs. */
function counting(): Consumer & { points: number } {
  const c = { points: 0, consume: (p: Payload) => { if (p.signal === 'metrics') c.points += p.itemCount; return Promise.resolve(); } };
  return c;
}

/** Runs `series` series × `points` ticks through a started anomaly processor; CPU of decode + consume only (exported for profiling). */
export async function throughProcessor(config: Record<string, unknown>, series: number, points: number): Promise<{ perCpuSecond: number; bytesPerSeries: number; heap: number; scored: number }> {
  const store = new MemoryStore();
  const host = { stateStore: () => store } as unknown as Host;
  const settings = { id: parseComponentId('anomaly'), logger: pino({ level: 'silent' }), metrics: new SelfMetrics(), pipeline: 'metrics' };
  await settle();
  const before = used();
  const out = counting();
  const proc = createAnomaly(settings, configSchema.parse({ pass_through: false, ...config }), 'metrics', out);
  await proc.start(host);
  await proc.assigned!([0]);
  let cpu = 0;
  let offset = 0n;
  for (let i = 0; i < points; i++) {
    for (const bytes of tickRequests(series, i)) {
      const c0 = process.cpuUsage();
      const payload = decodeProtobuf('metrics', bytes).payload as Payload;
      const ack = new Acknowledgement(() => {});
      await proc.consume(payload, deliveryOf('metrics.ingest', 0, offset++, false, ack));
      ack.settle();
      cpu += cpuSeconds(c0);
    }
  }
  gc();
  const bytes = used() - before;
  await proc.shutdown(Date.now() + 5_000);
  return { perCpuSecond: (series * points) / cpu, bytesPerSeries: bytes / series, heap: bytes, scored: out.points };
}

/** Bytes per series of `make()`'s models after `points` points each (round robin, as a pipeline sees them). */
function modelBytes<M>(series: number, points: number, stepMs: number, make: (s: number) => M, observe: (m: M, x: number, tMs: number) => unknown): number {
  gc();
  const before = used();
  const models = Array.from({ length: series }, (_, s) => make(s));
  for (let i = 0; i < points; i++) for (let s = 0; s < series; s++) observe(models[s]!, valueOf(s, i), T0 + i * stepMs);
  gc();
  const bytes = used() - before;
  if (models.length !== series) throw new Error('unreachable');
  return bytes / series;
}

/** The scenario. `log` reports progress; sizes are small enough for a few minutes on a shared machine. */
export async function anomalyBench(log: (line: string) => void, o = { series: 2_000, points: 600, many: 100_000, manyPoints: 60, baselineSeries: 500, baselineDays: 28 }): Promise<AnomalyBench> {
  const processor: AnomalyBench['processor'] = [];
  for (const detectors of [['robust_z', 'seasonal', 'isolation_forest'], ['robust_z', 'seasonal']]) {
    log(`anomaly: ${o.series} series × ${o.points} points through the processor, ${detectors.join('+')}`);
    const r = await throughProcessor({ detectors }, o.series, o.points);
    processor.push({ detectors: detectors.join('+'), series: o.series, points: o.points, perCpuSecond: r.perCpuSecond });
  }
  log('anomaly: memory per series');
  const memory: AnomalyBench['memory'] = [];
  // The smaller model first, and a settled heap before each: buffers freed late would count against the next.
  for (const detectors of [['robust_z', 'seasonal'], ['robust_z', 'seasonal', 'isolation_forest']] as const) {
    await settle();
    const options = modelOptions(configSchema.parse({ detectors }));
    const bytes = modelBytes(o.series, o.points, MINUTE, (s) => new SeriesModel(options, `bench|${s}`), (m, x, t) => m.observe(x, t));
    memory.push({ model: `anomaly ${detectors.join('+')}`, series: o.series, pointsEach: o.points, bytesPerSeries: bytes });
  }
  // The baseline's windows fill in a day (trailing) and four weeks (the weekly season): 5-minute points over 28 days by default.
  const bOptions = baselineOptions(baselineSchema.parse({}));
  const bSeries = o.baselineSeries;
  const bPoints = o.baselineDays * 288;
  log(`baseline: memory per series, ${bSeries} series × ${bPoints} points (${o.baselineDays} days of 5-minute points)`);
  await settle();
  const bBytes = modelBytes(bSeries, bPoints, 5 * MINUTE, () => new SeriesBaseline(bOptions), (m, x, t) => m.observe(x, t));
  memory.push({ model: 'baseline (defaults)', series: bSeries, pointsEach: bPoints, bytesPerSeries: bBytes });

  log(`anomaly: ${o.many} series × ${o.manyPoints} points in one processor`);
  const r = await throughProcessor({ checkpoint_interval: '1h', max_series: o.many }, o.many, o.manyPoints);
  const many = { series: o.many, pointsEach: o.manyPoints, scored: r.scored, perCpuSecond: r.perCpuSecond, bytesPerSeries: r.bytesPerSeries, heapMiB: r.heap / 2 ** 20, rssMiB: process.memoryUsage().rss / 2 ** 20 };
  const daemon = await anomalyDaemon(log, { series: o.many, points: o.manyPoints });
  return { processor, memory, many, daemon };
}
