import t from 'tap';
import { MemoryStorage, PromqlError, evaluateInstant, evaluateRange, parseExpr } from './index.js';
import type { Value } from './index.js';

function store(): MemoryStorage {
  const s = new MemoryStorage();
  for (let i = 0; i <= 10; i++) {
    s.append({ __name__: 'reqs_total', job: 'api' }, i * 60_000, i * 60);
    s.append({ __name__: 'reqs_total', job: 'web' }, i * 60_000, i * 30);
  }
  return s;
}

function values(v: Value): Record<string, number> {
  if (v.kind !== 'vector') throw new Error(`expected a vector, got ${v.kind}`);
  return Object.fromEntries(v.samples.map((s) => [JSON.stringify(s.labels), s.value]));
}

t.test('instant evaluation: rate, aggregation, comparison', async (t) => {
  const s = store();
  t.same(values(evaluateInstant(parseExpr('rate(reqs_total[5m])'), s, 600_000)), { '{"job":"api"}': 1, '{"job":"web"}': 0.5 });
  t.same(values(evaluateInstant(parseExpr('sum(rate(reqs_total[5m])) > 1'), s, 600_000)), { '{}': 1.5 });
  t.same(values(evaluateInstant(parseExpr('reqs_total{job=~"a.*"} offset 2m'), s, 600_000)), { '{"__name__":"reqs_total","job":"api"}': 480 });
  t.same(evaluateInstant(parseExpr('1 + 2 * 3'), s, 0), { kind: 'scalar', value: 7 });
  t.same(Object.keys(values(evaluateInstant(parseExpr('reqs_total{job=~"(?i)WEB"}'), s, 0))), ['{"__name__":"reqs_total","job":"web"}'], 'RE2 flag groups');
});

t.test('lookback: a sample older than 5m is not seen, a stale marker ends the series at once', async (t) => {
  const s = new MemoryStorage();
  s.append({ __name__: 'g' }, 0, 1);
  t.same(values(evaluateInstant(parseExpr('g'), s, 300_000)), { '{"__name__":"g"}': 1 });
  t.same(values(evaluateInstant(parseExpr('g'), s, 300_001)), {});
  s.appendStale({ __name__: 'g' }, 60_000);
  t.same(values(evaluateInstant(parseExpr('g'), s, 120_000)), {});
});

t.test('range evaluation gives one series per label set with a point per step', async (t) => {
  const r = evaluateRange(parseExpr('reqs_total{job="api"} / 60'), store(), 0, 180_000, 60_000);
  t.equal(r.length, 1);
  t.same(r[0]?.points, [{ t: 0, v: 0 }, { t: 60_000, v: 1 }, { t: 120_000, v: 2 }, { t: 180_000, v: 3 }]);
});

t.test('unsupported constructs are refused with their name and position', async (t) => {
  const cases: Array<[string, RegExp, number]> = [
    ['rate(x[5m:1m])', /subquery/, 5],
    ['label_replace(x, "a", "b", "c", "d")', /function "label_replace"/, 0],
    ['x @ 100', /@ modifier/, 0],
    ['stddev(x)', /aggregation "stddev"/, 0],
    ['sum(x', /syntax error/, 5],
    ['rate(x)', /expected type range vector/, 5],
    ['1 > 2', /BOOL/, 2],
  ];
  for (const [expr, message, pos] of cases) {
    try {
      parseExpr(expr);
      t.fail(`${expr} parsed`);
    } catch (err) {
      t.ok(err instanceof PromqlError, expr);
      t.match((err as PromqlError).message, message, expr);
      t.equal((err as PromqlError).pos, pos, `${expr}: position`);
    }
  }
});
