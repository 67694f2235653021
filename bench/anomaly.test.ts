/** The anomaly scenario at a small size (the daemon part starts the real daemon): every figure measured and positive, the targets checked. It says nothing about speed. */
import t from 'tap';
import { anomalyBench } from './anomaly.js';
import { anomalyChecks, anomalySection } from './anomaly-report.js';

t.test('the scenario measures every figure and checks the targets', async (t) => {
  const lines: string[] = [];
  const r = await anomalyBench((l) => lines.push(l), { series: 40, points: 200, many: 1_000, manyPoints: 5, baselineSeries: 5, baselineDays: 2 });
  t.same(r.processor.map((p) => p.detectors), ['robust_z+seasonal+isolation_forest', 'robust_z+seasonal']);
  t.ok(r.processor.every((p) => p.perCpuSecond > 0 && Number.isFinite(p.perCpuSecond)), 'points per CPU-second measured');
  t.same(r.memory.map((m) => m.model), ['anomaly robust_z+seasonal', 'anomaly robust_z+seasonal+isolation_forest', 'baseline (defaults)']);
  t.ok(r.memory.every((m) => m.bytesPerSeries > 0), `memory per series measured (${r.memory.map((m) => Math.round(m.bytesPerSeries)).join(', ')} bytes)`);
  const [noForest, forest] = r.memory;
  t.ok(forest!.bytesPerSeries > noForest!.bytesPerSeries, 'the forest costs memory');
  t.equal(r.many.series, 1_000);
  t.ok(r.many.perCpuSecond > 0 && r.many.bytesPerSeries > 0);
  t.equal(r.many.scored, 5_000, 'every point of every series scored');
  t.equal(r.daemon.series, 1_000);
  t.equal(r.daemon.scored, 5_000, 'through a running daemon too, every point of every series scored');
  t.ok(r.daemon.perCpuSecond > 0 && r.daemon.peakRssMiB > r.daemon.idleRssMiB, 'its CPU and RSS measured');
  const checks = anomalyChecks(r);
  t.equal(checks.length, 4, 'three targets, the series one in process and through a daemon');
  t.notOk(checks[2]!.pass, 'a run of 1,000 series does not pass the 100,000-series check');
  t.notOk(checks[3]!.pass, 'nor through the daemon');
  t.match(anomalySection(r).join('\n'), /1,000 series × 5 points in one processor/);
  t.match(anomalySection(r).join('\n'), /5,000 of 5,000 points scored/);
  t.ok(lines.length >= 4, 'progress logged');
});
