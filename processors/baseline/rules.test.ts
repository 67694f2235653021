/** Degradation rules: the product defaults, minimum volume, `for`, repetition and evidence. */
import fc from 'fast-check';
import t from 'tap';
import { configSchema, DEFAULT_RULES, type Rule } from './config.js';
import { judge, mergeEvidence, MAX_EVIDENCE, severityOf, step } from './rules.js';
import type { Estimate } from './stats.js';

const rule = (name: string): Rule => DEFAULT_RULES.find((r) => r.name === name)!;
const at = (expected: number): Estimate => ({ expected, lower: expected * 0.9, upper: expected * 1.1, kind: 'trailing' });

t.test('defaults: latency +50 %, throughput −30 %, error rate +10 points, 20 calls', async (t) => {
  t.same(configSchema.parse({}).rules, DEFAULT_RULES);
  t.equal(judge(rule('latency'), 160, at(100), 100).holds, true, '+60 % latency holds');
  t.equal(judge(rule('latency'), 149, at(100), 100).holds, false, '+49 % does not');
  t.equal(judge(rule('latency'), 160, at(100), 3).holds, false, 'three calls at night page nobody');
  t.equal(judge(rule('latency'), 160, at(100), undefined).holds, true, 'a point without a volume is judged on its value');
  t.equal(judge(rule('throughput'), 6, at(10), 100).holds, true, '−40 % throughput holds');
  t.equal(judge(rule('throughput'), 8, at(10), 100).holds, false, '−20 % does not');
  t.equal(judge(rule('error_rate'), 12, at(1), 100).holds, true, '1 % → 12 %: +11 points');
  t.equal(judge(rule('error_rate'), 10, at(1), 100).holds, false, '1 % → 10 %: +9 points');
  t.equal(judge(rule('latency'), 5, at(0), 100).holds, false, 'a relative rule on nothing expected never holds');
});

t.test('property: a relative up rule holds exactly when value >= expected × (1 + relative)', async () => {
  fc.assert(fc.property(fc.double({ min: 0.01, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e7, noNaN: true }), fc.double({ min: 0.01, max: 5, noNaN: true }), (expected, value, relative) => {
    const r: Rule = { ...rule('latency'), relative };
    return judge(r, value, at(expected), 1000).holds === (value - expected >= relative * expected);
  }));
});

t.test('severity grows with the excess over the allowed amount', async (t) => {
  t.same([1, 1.9, 2, 3.9, 4, 10].map((x) => severityOf(x).text), ['warning', 'warning', 'error', 'error', 'critical', 'critical']);
  t.equal(severityOf(judge(rule('latency'), 160, at(100), 100).excess).text, 'warning', '+60 % against +50 %');
  t.equal(severityOf(judge(rule('latency'), 400, at(100), 100).excess).text, 'critical', '+300 %');
});

t.test('an event once the rule held for `for`, again only after repeat_interval, and anew after a break', async (t) => {
  const r: Rule = { ...rule('latency'), for: 120_000 };
  let b;
  const raised: number[] = [];
  const holds = (m: number) => (m >= 3 && m < 20) || m >= 25;
  for (let m = 0; m < 30; m++) {
    const s = step(b, holds(m), m * 60_000, r, 10 * 60_000, [{ traceId: `t${m}`, value: m }]);
    b = s.breach;
    if (s.raise) raised.push(m);
  }
  t.same(raised, [5, 15, 27], 'held since 3 → event at 5, repeated at 15; broken at 20, held since 25 → 27');
  t.same(b?.evidence.map((e) => e.traceId), ['t29', 't28', 't27', 't26', 't25'], 'evidence from this breach only, highest first');
});

t.test('property: evidence keeps at most 5 distinct traces, the highest values', async () => {
  const ev = fc.record({ traceId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), value: fc.double({ min: 0, max: 1e4, noNaN: true }) });
  fc.assert(fc.property(fc.array(ev), fc.array(ev), (a, b) => {
    const m = mergeEvidence(mergeEvidence([], a), b);
    const ids = m.map((e) => e.traceId);
    const best = new Map<string, number>();
    for (const e of [...a, ...b]) best.set(e.traceId, Math.max(best.get(e.traceId) ?? -1, e.value));
    const top = [...best.values()].sort((x, y) => y - x).slice(0, MAX_EVIDENCE);
    return m.length <= MAX_EVIDENCE && new Set(ids).size === ids.length && JSON.stringify(m.map((e) => e.value)) === JSON.stringify(top);
  }));
});
