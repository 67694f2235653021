/**
 * `node dist/eval/anomaly-bench.js [--series N] [--points N] [--detectors a,b]`: a bench-style
 * figure, not a timed test. Scores synthetic points with the anomaly processor's series models in
 * one thread (so points per second per core) and measures the heap each tracked series costs, with
 * the default detectors and with the isolation forest left out.
 */
import { parseArgs } from 'node:util';
import { configSchema, modelOptions } from '../processors/anomaly/config.js';
import { SeriesModel, type DetectorName } from '../processors/anomaly/series-model.js';

const { values } = parseArgs({ options: { series: { type: 'string', default: '2000' }, points: { type: 'string', default: '600' } } });
const SERIES = Number(values.series);
const POINTS = Number(values.points);
const STEP = 60_000;
const gc = (globalThis as { gc?: () => void }).gc;

/** A deterministic wave with noise, so every model sees realistic input. */
const valueOf = (s: number, i: number) => 100 + 10 * Math.sin(i / 50 + s) + 5 * Math.sin(i * 12.9898 + s * 78.233);

function run(detectors: readonly DetectorName[]): { perSecond: number; bytesPerSeries: number } {
  const options = modelOptions(configSchema.parse({ detectors }));
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const models = Array.from({ length: SERIES }, (_, s) => new SeriesModel(options, `bench|${s}`));
  const cpu0 = process.cpuUsage();
  // Round robin over the series, as a pipeline sees them: one point of each per step.
  for (let i = 0; i < POINTS; i++) for (let s = 0; s < SERIES; s++) models[s]!.observe(valueOf(s, i), i * STEP);
  const cpu = process.cpuUsage(cpu0);
  gc?.();
  const bytes = process.memoryUsage().heapUsed - before;
  if (models.length !== SERIES) throw new Error('unreachable');
  return { perSecond: (SERIES * POINTS) / ((cpu.user + cpu.system) / 1e6), bytesPerSeries: bytes / SERIES };
}

const line = (name: string, r: { perSecond: number; bytesPerSeries: number }) =>
  process.stdout.write(`${name}: ${Math.round(r.perSecond).toLocaleString('en')} points per CPU-second, ${(r.bytesPerSeries / 1024).toFixed(2)} KiB heap per series${gc ? '' : ' (run with --expose-gc for a steady heap figure)'}\n`);
process.stdout.write(`${SERIES} series × ${POINTS} points, one thread, Node ${process.version}\n`);
line('default (robust_z, seasonal, isolation_forest)', run(['robust_z', 'seasonal', 'isolation_forest']));
line('robust_z + seasonal (no forest)', run(['robust_z', 'seasonal']));
line('robust_z alone', run(['robust_z']));
