/** Prometheus' rule unit-test file format (`promtool test rules`), read with positions and strict keys. */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { KeyPath, Problems } from '../../../config/errors.js';
import type { ConfigNode } from '../../../config/positions.js';
import { mapReader, readYaml } from '../rules/yaml-read.js';
import type { MapReader } from '../rules/yaml-read.js';

/** An alert expected at an evaluation time. */
export interface ExpectedAlert {
  readonly labels: ReadonlyMap<string, string>;
  readonly annotations: ReadonlyMap<string, string>;
}

/** One `alert_rule_test` item. */
export interface AlertTest {
  readonly evalTimeMs: number;
  readonly alertname: string;
  readonly expAlerts: readonly ExpectedAlert[];
}

/** One `promql_expr_test` item. */
export interface PromqlTest {
  readonly expr: string;
  readonly evalTimeMs: number;
  readonly expSamples: ReadonlyArray<{ readonly labels: string; readonly value: number }>;
}

/** One item of `tests`. */
export interface TestGroup {
  readonly name: string;
  readonly intervalMs: number;
  readonly inputSeries: ReadonlyArray<{ readonly series: string; readonly values: string }>;
  readonly alertTests: readonly AlertTest[];
  readonly promqlTests: readonly PromqlTest[];
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
}

/** A whole test file. */
export interface UnitTestFile {
  readonly file: string;
  /** Rule file patterns, resolved against the test file's folder. */
  readonly ruleFiles: readonly string[];
  readonly evaluationIntervalMs: number;
  readonly groupEvalOrder: readonly string[];
  readonly tests: readonly TestGroup[];
}

const DEFAULT_INTERVAL_MS = 60_000;

/** Reads `file`; problems (unknown keys, bad durations) go to `problems`. */
export function readTestFile(file: string, problems: Problems): UnitTestFile | undefined {
  const root = readYaml(readFileSync(file, 'utf8'), file, problems);
  const r = mapReader(root, [], problems, ['rule_files', 'evaluation_interval', 'group_eval_order', 'tests']);
  if (r === undefined) return undefined;
  const base = dirname(file);
  const ruleFiles = strings(r, 'rule_files', problems).map((p) => (isAbsolute(p) ? p : join(base, p)));
  const evaluationIntervalMs = r.duration('evaluation_interval') || DEFAULT_INTERVAL_MS;
  const tests = r.list('tests').map((node, i) => readGroup(node, ['tests', i], problems, evaluationIntervalMs));
  return {
    file, ruleFiles, evaluationIntervalMs,
    groupEvalOrder: strings(r, 'group_eval_order', problems),
    tests: tests.filter((t): t is TestGroup => t !== undefined),
  };
}

function strings(r: MapReader, key: string, problems: Problems): string[] {
  return r.list(key).flatMap((n, i) => {
    if (n.kind === 'scalar' && n.value !== null && typeof n.value !== 'object') return [String(n.value)];
    problems.error(n.pos, [...r.path, key, i], 'expected a string');
    return [];
  });
}

function readGroup(node: ConfigNode, path: KeyPath, problems: Problems, defaultInterval: number): TestGroup | undefined {
  const g = mapReader(node, path, problems, ['name', 'interval', 'input_series', 'alert_rule_test', 'promql_expr_test', 'external_labels', 'external_url']);
  if (g === undefined) return undefined;
  const inputSeries = g.list('input_series').flatMap((n, i) => {
    const s = mapReader(n, [...path, 'input_series', i], problems, ['series', 'values']);
    return s === undefined ? [] : [{ series: s.string('series') ?? '', values: s.string('values') ?? '' }];
  });
  const alertTests = g.list('alert_rule_test').flatMap((n, i) => readAlertTest(n, [...path, 'alert_rule_test', i], problems));
  const promqlTests = g.list('promql_expr_test').flatMap((n, i) => readPromqlTest(n, [...path, 'promql_expr_test', i], problems));
  return {
    name: g.string('name') ?? '',
    intervalMs: g.duration('interval') || defaultInterval,
    inputSeries, alertTests, promqlTests,
    externalLabels: Object.fromEntries([...g.stringMap('external_labels')].map(([k, v]) => [k, v.value])),
    externalURL: g.string('external_url') ?? '',
  };
}

function readAlertTest(node: ConfigNode, path: KeyPath, problems: Problems): AlertTest[] {
  const a = mapReader(node, path, problems, ['eval_time', 'alertname', 'exp_alerts']);
  if (a === undefined) return [];
  const expAlerts = a.list('exp_alerts').flatMap((n, i) => {
    const e = mapReader(n, [...path, 'exp_alerts', i], problems, ['exp_labels', 'exp_annotations']);
    if (e === undefined) return [];
    const values = (key: string): Map<string, string> => new Map([...e.stringMap(key)].map(([k, v]) => [k, v.value]));
    return [{ labels: values('exp_labels'), annotations: values('exp_annotations') }];
  });
  return [{ evalTimeMs: a.duration('eval_time') ?? 0, alertname: a.string('alertname') ?? '', expAlerts }];
}

function readPromqlTest(node: ConfigNode, path: KeyPath, problems: Problems): PromqlTest[] {
  const p = mapReader(node, path, problems, ['expr', 'eval_time', 'exp_samples']);
  if (p === undefined) return [];
  const expSamples = p.list('exp_samples').flatMap((n, i) => {
    const s = mapReader(n, [...path, 'exp_samples', i], problems, ['labels', 'value']);
    if (s === undefined) return [];
    const v = s.get('value');
    const value = v?.kind === 'scalar' && typeof v.value === 'number' ? v.value : v === undefined ? 0 : Number(s.string('value'));
    if (Number.isNaN(value) && v?.kind === 'scalar' && typeof v.value !== 'number') problems.error(v.pos, [...path, 'exp_samples', i, 'value'], 'expected a number');
    return [{ labels: s.string('labels') ?? '', value }];
  });
  return [{ expr: p.string('expr') ?? '', evalTimeMs: p.duration('eval_time') ?? 0, expSamples }];
}
