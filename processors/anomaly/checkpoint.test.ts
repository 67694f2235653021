/** Checkpoints written by earlier versions of the models reload, and the models score on as before. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { configSchema, modelOptions } from './config.js';
import { SeriesModel, type ModelState, type Verdict } from './series-model.js';

interface Fixture { readonly state: ModelState; readonly next: ReadonlyArray<{ x: number; tMs: number; verdict: Verdict }> }
const load = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../../../processors/anomaly/testdata/${name}`, import.meta.url), 'utf8')) as Fixture;

/**
 * The verdict as JSON would record it equals the recorded one: numbers to 1e-6 of their size, the
 * rest exactly. The forest's nodes are singles since the fixture was written (isolation-forest.ts):
 * the same trees, scores ~1e-8 apart; a different tree or draw moves them by far more.
 */
function near(verdict: Verdict, b: Verdict): boolean {
  const a = JSON.parse(JSON.stringify(verdict)) as Verdict;
  return (Object.keys(b) as Array<keyof Verdict>).every((k) => {
    const x = a[k];
    const y = b[k];
    return typeof x === 'number' && typeof y === 'number' ? Math.abs(x - y) <= 1e-6 * Math.abs(y) : x === y;
  }) && Object.keys(a).length === Object.keys(b).length;
}

t.test('a checkpoint written at fd023bf (before the models shared their detectors) reloads and scores on as that model did', async (t) => {
  const f = load('checkpoint-fd023bf.json');
  // The defaults of that version: the forest's trees, sample size and rebuild interval changed since.
  const m = new SeriesModel(modelOptions(configSchema.parse({ isolation_forest: { trees: 32, sample_size: 64, rebuild_every: 64 } })), 'checkpoint-fixture', f.state);
  const differ = f.next.filter((p) => !near(m.observe(p.x, p.tMs), p.verdict)).length;
  t.equal(differ, 0, `all ${f.next.length} verdicts after the reload equal the old model's`);
  t.ok(f.next.some((p) => p.verdict.threshold > 0.6), 'the threshold raised by the event before the checkpoint is carried over');
});

t.test('the same checkpoint under today\'s defaults (another forest sample size) reloads, keeps what it learnt and scores', async (t) => {
  const f = load('checkpoint-fd023bf.json');
  const m = new SeriesModel(modelOptions(configSchema.parse({})), 'checkpoint-fixture', f.state);
  const verdicts = f.next.map((p) => m.observe(p.x, p.tMs));
  t.ok(verdicts.every((v) => Number.isFinite(v.score) && v.score >= 0 && v.score <= 1), 'every score in [0, 1]');
  t.same(verdicts.map((v) => v.threshold), f.next.map((p) => p.verdict.threshold), 'the raised threshold carried over, decaying as before');
});
