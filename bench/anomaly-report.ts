/** Issue 11's targets on the anomaly scenario's figures, and its section of the markdown report. */
import type { AnomalyBench } from './anomaly.js';
import type { Check } from './report.js';

const KIB = 1024;
const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');

/** Points per CPU-second with the default detectors ≥ 100,000; memory per series without the forest ≤ 2 KiB; 100,000 series held. */
export function anomalyChecks(a: AnomalyBench | undefined): Check[] {
  if (!a) return [];
  const check = (name: string, value: number, unit: string, op: Check['op'], target: number): Check => ({ name, value, unit, op, target, pass: op === '>=' ? value >= target : value <= target });
  const out: Check[] = [];
  const byDefault = a.processor.find((p) => p.detectors.includes('isolation_forest'));
  if (byDefault) out.push(check('anomaly: points scored per CPU-second, default detectors (processor path, OTLP in)', byDefault.perCpuSecond, 'points/s', '>=', 100_000));
  const noForest = a.memory.find((m) => m.model === 'anomaly robust_z+seasonal');
  if (noForest) out.push(check('anomaly: memory per tracked series, no isolation forest', noForest.bytesPerSeries / KIB, 'KiB', '<=', 2));
  // Held: every point of every series scored (a series refused by max_series would pass unscored).
  out.push(check('anomaly: series tracked and scored in one processor', a.many.scored === a.many.series * a.many.pointsEach ? a.many.series : 0, 'series', '>=', 100_000));
  out.push(check('anomaly: series tracked and scored on one running daemon (OTLP/HTTP in)', a.daemon.scored === a.daemon.series * a.daemon.pointsEach ? a.daemon.series : 0, 'series', '>=', 100_000));
  return out;
}

/** The scenario's section. */
export function anomalySection(a: AnomalyBench): string[] {
  return [
    '## Anomaly and baseline processors (issue 11; in process, one thread)', '',
    ...a.processor.map((p) => `- processor path (OTLP protobuf decoded, the processor, gauges built), ${p.detectors}: ${n0(p.perCpuSecond)} points per CPU-second (${n0(p.series)} series × ${p.points} points)`),
    ...a.memory.map((m) => `- memory (heap + typed-array buffers) per series, ${m.model}: ${(m.bytesPerSeries / KIB).toFixed(2)} KiB (${n0(m.series)} series × ${n0(m.pointsEach)} points each)`),
    `- ${n0(a.many.series)} series × ${a.many.pointsEach} points in one processor (default detectors): ${n0(a.many.perCpuSecond)} points per CPU-second, ` +
      `${(a.many.bytesPerSeries / KIB).toFixed(2)} KiB per series (${a.many.heapMiB.toFixed(0)} MiB for all), process RSS ${a.many.rssMiB.toFixed(0)} MiB`,
    `- the same through a running daemon (\`otlp\` over HTTP → \`anomaly\` → \`debug\`, embedded queue): ${n0(a.daemon.scored)} of ${n0(a.daemon.series * a.daemon.pointsEach)} points scored in ` +
      `${a.daemon.wallSeconds.toFixed(1)} s, ${n0(a.daemon.perCpuSecond)} points per daemon CPU-second (receive, decode, queue, score, export), ` +
      `RSS ${a.daemon.idleRssMiB.toFixed(0)} MiB idle, ${a.daemon.peakRssMiB.toFixed(0)} MiB at the peak (${a.daemon.kibPerSeries.toFixed(2)} KiB per series)`,
  ];
}
