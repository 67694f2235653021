/** A rule group evaluated at a timestamp: rules in order, results written back to the store, with staleness markers. */
import type { Labels, MemoryStorage, Sample } from '../promql/index.js';
import { METRIC_NAME, PromqlError, labelsKey } from '../promql/index.js';
import { AlertingRule, setLabel } from './alerting.js';
import type { RuleContext } from './alerting.js';
import type { GroupSpec, RuleSpec } from './rule-file.js';
import { queryVector, RuleEvalError } from './query.js';

/** A rule that failed at one evaluation (the others still ran). */
export interface RuleFailure {
  readonly rule: RuleSpec;
  readonly error: Error;
}

/** A recording rule. */
export class RecordingRule {
  constructor(readonly spec: RuleSpec) {}

  /** The samples to record at `t`. */
  eval(store: MemoryStorage, t: number): Sample[] {
    const seen = new Set<string>();
    return queryVector(this.spec.expr, store, t).map((s) => {
      const labels: Record<string, string> = { ...s.labels, [METRIC_NAME]: this.spec.name };
      for (const [name, tmpl] of this.spec.labels) setLabel(labels, name, tmpl.text);
      const key = labelsKey(labels);
      if (seen.has(key)) throw new RuleEvalError('vector contains metrics with the same labelset after applying rule labels');
      seen.add(key);
      return { labels, value: s.value };
    });
  }
}

/** A group of rules sharing one store. */
export class RuleGroup {
  readonly rules: ReadonlyArray<AlertingRule | RecordingRule>;
  /** Per rule, the series it wrote at its previous evaluation (to mark those that vanished stale). */
  private readonly previous: Array<Map<string, Labels>>;

  constructor(readonly spec: GroupSpec, private readonly store: MemoryStorage, context: RuleContext = {}) {
    this.rules = spec.rules.map((r) => (r.kind === 'alert' ? new AlertingRule(r, context) : new RecordingRule(r)));
    this.previous = this.rules.map(() => new Map<string, Labels>());
  }

  /** Evaluates every rule at `t` (ms), in order; later rules see earlier rules' results. */
  eval(t: number): RuleFailure[] {
    const failures: RuleFailure[] = [];
    this.rules.forEach((rule, i) => {
      let samples: Sample[];
      try {
        samples = rule.eval(this.store, t);
      } catch (err) {
        if (!(err instanceof PromqlError || err instanceof RuleEvalError)) throw err;
        failures.push({ rule: rule.spec, error: err });
        return;
      }
      const current = new Map<string, Labels>();
      for (const s of samples) {
        this.store.append(s.labels, t, s.value);
        current.set(labelsKey(s.labels), s.labels);
      }
      for (const [key, labels] of this.previous[i] ?? []) {
        if (!current.has(key)) this.store.appendStale(labels, t);
      }
      this.previous[i] = current;
    });
    return failures;
  }

  /** The group's alerting rules. */
  alertingRules(): AlertingRule[] {
    return this.rules.filter((r): r is AlertingRule => r instanceof AlertingRule);
  }
}
