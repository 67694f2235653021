/**
 * `node dist/eval/anomaly-bench.js [--series N] [--points N] [--detectors a,b]`: a bench-style
 * figure, not a timed test. Scores synthetic points with the anomaly processor's series models in
 * one thread (so points per second per core) and measures the memory each tracked series costs (heap
 * plus typed-array buffers, which live outside the heap), with the default detectors and with the
 * isolation forest left out. The models alone: `npm run bench -- --only anomaly` measures the
 * processor's whole path on OTLP input.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { configSchema, modelOptions } from '../processors/anomaly/config.js';
import { SeriesModel, type DetectorName } from '../processors/anomaly/series-model.js';

const { values } = parseArgs({ options: { series: { type: 'string', default: '2000' }, points: { type: 'string', default: '600' }, detectors: { type: 'string' } } });
const SERIES = Number(values.series);
const POINTS = Number(values.points);
const STEP = 60_000;
const gc = (globalThis as { gc?: () => void }).gc;
/** Heap and the typed arrays' buffers (outside the heap). */
const used = (): number => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

/** A deterministic wave with noise, so every model sees realistic input. */
const valueOf = (s: number, i: number) => 100 + 10 * Math.sin(i / 50 + s) + 5 * Math.sin(i * 12.9898 + s * 78.233);

function run(detectors: readonly DetectorName[]): { perSecond: number; bytesPerSeries: number } {
  const options = modelOptions(configSchema.parse({ detectors }));
  gc?.();
  const before = used();
  const models = Array.from({ length: SERIES }, (_, s) => new SeriesModel(options, `bench|${s}`));
  const cpu0 = process.cpuUsage();
  // Round robin over the series, as a pipeline sees them: one point of each per step.
  for (let i = 0; i < POINTS; i++) for (let s = 0; s < SERIES; s++) models[s]!.observe(valueOf(s, i), i * STEP);
  const cpu = process.cpuUsage(cpu0);
  gc?.();
  const bytes = used() - before;
  if (models.length !== SERIES) throw new Error('unreachable');
  return { perSecond: (SERIES * POINTS) / ((cpu.user + cpu.system) / 1e6), bytesPerSeries: bytes / SERIES };
}

const line = (name: string, r: { perSecond: number; bytesPerSeries: number }) =>
  process.stdout.write(`${name}: ${Math.round(r.perSecond).toLocaleString('en')} points per CPU-second, ${(r.bytesPerSeries / 1024).toFixed(2)} KiB per series (heap + buffers)${gc ? '' : ' (run with --expose-gc for a steady heap figure)'}\n`);
const SETS: Array<[string, DetectorName[]]> = [
  ['default (robust_z, seasonal, isolation_forest)', ['robust_z', 'seasonal', 'isolation_forest']],
  ['robust_z + seasonal (no forest)', ['robust_z', 'seasonal']],
  ['robust_z alone', ['robust_z']],
];
if (values.detectors !== undefined) {
  const set = values.detectors.split(',') as DetectorName[];
  line(SETS.find(([, d]) => d.join() === set.join())?.[0] ?? set.join(', '), run(set));
} else {
  // Each set in a process of its own: typed-array buffers of the last set are freed lazily and would skew the next one's memory.
  process.stdout.write(`${SERIES} series × ${POINTS} points, one thread, Node ${process.version}\n`);
  for (const [, set] of SETS) {
    const args = [...process.execArgv, fileURLToPath(import.meta.url), '--series', String(SERIES), '--points', String(POINTS), '--detectors', set.join(',')];
    process.stdout.write(execFileSync(process.execPath, args, { encoding: 'utf8' }));
  }
}
