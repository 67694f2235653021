/** The rule-eval scenario's code on tiny sizes: every one of the 100 rules evaluates, and a run reports its rounds. Says nothing about speed. */
import t from 'tap';
import { forEachDataPoint } from '../pdata/index.js';
import { configSchema } from '../processors/alert-rules/config.js';
import { loadRules } from '../processors/alert-rules/load-rules.js';
import { StreamEvaluator } from '../processors/alert-rules/stream/evaluator.js';
import { translatePoint } from '../processors/alert-rules/stream/otlp-names.js';
import { ruleEval } from './rule-eval.js';
import { POINTS_PER_SERVICE, ruleGroups, scrapeRequest, SERIES_PER_SERVICE } from './rule-workload.js';

t.test('the workload: 2,000 series per service, and all 100 rules evaluate without an error, some alerting', async (t) => {
  const groups = loadRules(configSchema.parse({ groups: ruleGroups(15) }));
  t.equal(groups.flatMap((g) => g.rules).length, 100);
  const ev = new StreamEvaluator(groups, { defaultIntervalMs: 15_000, retentionMs: 3_600_000 });
  const t0 = Date.UTC(2026, 10, 20);
  const failures: Parameters<StreamEvaluator['advanceTo']>[1] = [];
  let alerts = 0;
  for (let k = 0; k < 4; k++) {
    const at = t0 + k * 15_000 + 7_500;
    for (let s = 0; s < 2; s++) {
      const payload = scrapeRequest(s, k + 1, at, t0);
      if (k === 0 && s === 0) t.equal(payload.itemCount, POINTS_PER_SERVICE, 'data points per service');
      let samples = 0;
      forEachDataPoint(payload, (p) => {
        for (const x of translatePoint(p)) {
          ev.ingest(x.labels, at, x.value);
          samples++;
        }
      });
      if (k === 0 && s === 0) t.equal(samples, SERIES_PER_SERVICE, 'series per service');
    }
    alerts += ev.advanceTo(at, failures).length;
  }
  t.same(failures.map((f) => `${f.rule.name}: ${f.error.message}`), [], 'no rule fails');
  t.ok(alerts > 0, `alert transitions: ${alerts}`);
});

t.test('a tiny run through the processor reports its rounds', async (t) => {
  const r = await ruleEval({ services: 2, historyScrapes: 2, rounds: 2, intervalS: 15, log: () => {} });
  t.equal(r.series, 2 * SERIES_PER_SERVICE);
  t.equal(r.rules, 100);
  t.equal(r.recordingRules, 20);
  t.equal(r.rounds.length, 3, 'a round at every boundary after the first scrape');
  t.equal(r.rounds.filter((x) => x.measured).length, 2);
  t.ok(r.roundMedianMs > 0 && r.pointsPerSec > 0 && r.heapUsedBytes > 0);
  // Scrape 0's two requests and the second of each later scrape; the first of each later one ran a round.
  t.equal(r.ingestPoints, 5 * POINTS_PER_SERVICE, 'every request not crossing a boundary counts as ingest');
});
