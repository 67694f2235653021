/** Runs rule unit tests the way `promtool test rules` does, reporting failures in its words. */
import { Problems } from '../../../config/errors.js';
import type { Labels } from '../promql/index.js';
import { MemoryStorage, PromqlError, evaluateInstant, formatDuration, parseExpr, parseMetric } from '../promql/index.js';
import { glob } from '../rules/glob.js';
import { RuleGroup } from '../rules/group.js';
import { loadRuleFile } from '../rules/rule-file.js';
import type { GroupSpec } from '../rules/rule-file.js';
import { expandValues } from './series-notation.js';
import type { AlertTest, PromqlTest, TestGroup, UnitTestFile } from './test-file.js';
import { readTestFile } from './test-file.js';
import { compareAlerts, compareSamples } from './compare.js';

/** The verdict on one test file: `errors` are promtool-style failure lines (empty when it passed). */
export interface FileResult {
  readonly file: string;
  readonly passed: boolean;
  readonly errors: readonly string[];
}

/** Runs every test group of `file`. */
export function runTestFile(file: string): FileResult {
  const problems = new Problems();
  const spec = readTestFile(file, problems);
  if (spec === undefined || problems.errors.length > 0) return { file, passed: false, errors: problems.errors.map(String) };
  const order = new Map<string, number>();
  for (const [i, name] of spec.groupEvalOrder.entries()) {
    if (order.has(name)) return { file, passed: false, errors: [`group name repeated in evaluation order: ${name}`] };
    order.set(name, i);
  }
  const errors = spec.tests.flatMap((group) => runGroup(spec, group, order));
  return { file, passed: errors.length === 0, errors };
}

function loadGroups(spec: UnitTestFile, order: ReadonlyMap<string, number>): { groups: GroupSpec[]; errors: string[] } {
  const problems = new Problems();
  const groups = spec.ruleFiles.flatMap((pattern) => glob(pattern)).flatMap((f) => loadRuleFile(f, problems));
  const sorted = [...groups].sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return { groups: sorted, errors: problems.errors.map(String) };
}

function loadSeries(group: TestGroup, store: MemoryStorage): string[] {
  const errors: string[] = [];
  for (const s of group.inputSeries) {
    let labels: Labels;
    let values;
    try {
      labels = parseMetric(s.series);
      values = expandValues(s.values);
    } catch (err) {
      errors.push(`    series ${JSON.stringify(s.series)}: ${(err as Error).message}`);
      continue;
    }
    values.forEach((v, i) => {
      if (v === 'stale') store.appendStale(labels, i * group.intervalMs);
      else if (v !== undefined) store.append(labels, i * group.intervalMs, v);
    });
  }
  return errors;
}

function runGroup(spec: UnitTestFile, group: TestGroup, order: ReadonlyMap<string, number>): string[] {
  const store = new MemoryStorage();
  const seriesErrors = loadSeries(group, store);
  if (seriesErrors.length > 0) return seriesErrors;
  const loaded = loadGroups(spec, order);
  if (loaded.errors.length > 0) return loaded.errors;
  const context = { externalLabels: group.externalLabels, externalURL: group.externalURL };
  const groups = loaded.groups.map((g) => new RuleGroup(g, store, context));
  const missing = group.alertTests.find((a) => a.alertname === '');
  if (missing !== undefined) return [`an item under alert_rule_test misses required attribute alertname at eval_time ${formatDuration(missing.evalTimeMs)}`];
  const evalTimes = [...new Set(group.alertTests.map((a) => a.evalTimeMs))].sort((a, b) => a - b);
  const maxT = Math.max(0, ...group.alertTests.map((a) => a.evalTimeMs), ...group.promqlTests.map((p) => p.evalTimeMs));
  const errors: string[] = [];
  let next = 0;
  for (let ts = 0; ts <= maxT; ts += spec.evaluationIntervalMs) {
    const evalErrors = groups.flatMap((g) => g.eval(ts).map((f) => `    rule: ${f.rule.name}, time: ${formatDuration(ts)}, err: ${f.error.message}`));
    if (evalErrors.length > 0) return [...errors, ...evalErrors];
    // An alert test at eval_time t reads the last evaluation at or before t.
    while (next < evalTimes.length && ts <= (evalTimes[next] ?? 0) && (evalTimes[next] ?? 0) < ts + spec.evaluationIntervalMs) {
      const t = evalTimes[next] ?? 0;
      errors.push(...group.alertTests.filter((a) => a.evalTimeMs === t).flatMap((a) => checkAlerts(a, groups)));
      next++;
    }
  }
  for (const p of group.promqlTests) errors.push(...checkPromql(p, store));
  return errors;
}

function checkAlerts(test: AlertTest, groups: readonly RuleGroup[]): string[] {
  const got = groups
    .flatMap((g) => g.alertingRules())
    .filter((r) => r.spec.name === test.alertname)
    .flatMap((r) => r.activeAlerts().filter((a) => a.state === 'firing'))
    .map((a) => ({ labels: new Map(Object.entries(a.labels)), annotations: new Map(Object.entries(a.annotations)) }));
  const exp = test.expAlerts.map((e) => ({ labels: new Map([...e.labels, ['alertname', test.alertname]]), annotations: e.annotations }));
  const diff = compareAlerts(exp, got);
  return diff === undefined ? [] : [`    alertname: ${test.alertname}, time: ${formatDuration(test.evalTimeMs)}, \n${diff}`];
}

function checkPromql(test: PromqlTest, store: MemoryStorage): string[] {
  const head = `    expr: ${JSON.stringify(test.expr)}, time: ${formatDuration(test.evalTimeMs)}`;
  let got: Array<{ labels: Labels; value: number }>;
  try {
    const v = evaluateInstant(parseExpr(test.expr), store, test.evalTimeMs);
    if (v.kind === 'scalar') got = [{ labels: {}, value: v.value }];
    else if (v.kind === 'vector') got = [...v.samples];
    else return [`${head}, err: rule result is not a vector or scalar`];
  } catch (err) {
    if (!(err instanceof PromqlError)) throw err;
    return [`${head}, err: ${err.message}`];
  }
  const exp: Array<{ labels: Labels; value: number }> = [];
  for (const s of test.expSamples) {
    try {
      exp.push({ labels: parseMetric(s.labels), value: s.value });
    } catch (err) {
      return [`${head}, err: labels ${JSON.stringify(s.labels)}: ${(err as Error).message}`];
    }
  }
  const diff = compareSamples(exp, got);
  return diff === undefined ? [] : [`${head},\n${diff}`];
}

