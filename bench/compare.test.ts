import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requirePeer } from '../test/peer.js';
import { tempDir } from '../test/daemon.js';
import { ratioTable, spread, type PathRun } from './compare.js';
import { otelcolYaml, type ExportSpec } from './daemon-config.js';

t.test('spread: median of odd and even counts, min and max', async (t) => {
  t.same(spread([3, 1, 2]), { median: 2, min: 1, max: 3 });
  t.same(spread([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4 });
  t.ok(Number.isNaN(spread([]).median));
});

t.test('ratio table: vigil median over otelcol median, per path and figure', async (t) => {
  const run = (system: PathRun['system'], spansPerSec: number, cpu: number): PathRun => ({
    path: 'forward-grpc', system, repetition: 1, spansPerSec, cpuSecondsPerMillion: cpu, coreShare: 1, peakRssBytes: 100 * 1024 * 1024, p99Ms: 5, refused: 0,
  });
  const rows = ratioTable([run('vigil', 100, 6), run('vigil', 120, 7), run('vigil', 140, 8), run('otelcol', 200, 4), run('otelcol', 100, 4)]);
  const of = (figure: string) => rows.find((r) => r.path === 'forward-grpc' && r.figure === figure)!;
  t.equal(of('spans/s').ratio, 120 / 150);
  t.same(of('spans/s').vigil, { median: 120, min: 100, max: 140 });
  t.equal(of('CPU-s per M spans').ratio, 7 / 4);
  t.equal(of('peak RSS MiB').ratio, 1);
  t.notOk(rows.some((r) => r.path === 'file'), 'a path not run has no rows');
});

t.test('the real otelcol validates the pipeline the bench gives it, for both exporters', async (t) => {
  const otelcol = await requirePeer(t);
  if (!otelcol) return;
  const dir = tempDir();
  const exporters: ExportSpec[] = [{ kind: 'sink', port: 4999 }, { kind: 'file', path: join(dir, 'out.json') }];
  for (const exporter of exporters) {
    const file = join(dir, `${exporter.kind}.yaml`);
    writeFileSync(file, otelcolYaml({ grpc: 4991, http: 4992, health: 4993, metrics: 4994 }, exporter));
    const out = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(otelcol, ['validate', '--config', file], (err, _stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }));
    });
    t.equal(out.code, 0, `${exporter.kind}: otelcol validate exits 0`, { stderr: out.stderr });
  }
});
