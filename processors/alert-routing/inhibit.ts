/**
 * Inhibition as in Alertmanager: an alert matching a rule's `target_matchers` is muted while another
 * alert that matches its `source_matchers`, with the same values of the `equal` labels, is firing.
 *
 * Which alerts fire is known only together: the alerts of different series are evaluated on
 * different stage-log partitions, possibly by different daemons. So the firing set lives in the
 * service's state store (one map, a Redis hash with Redis state, as the alertmanager exporter keeps
 * its own), written by whichever instance routes a firing or resolve, read by every instance.
 */
import type { StateStore } from '../../pipeline/state/state-store.js';
import { matchAll, type Labels, type Matcher } from './matchers.js';

/** The state-store map of firing alerts: fingerprint → labels as JSON. */
const FIRING_KEY = 'firing';

/** A compiled inhibit rule. */
export interface InhibitRule {
  readonly source: readonly Matcher[];
  readonly target: readonly Matcher[];
  readonly equal: readonly string[];
}

/** The alerts firing now, by fingerprint. */
export type FiringAlerts = ReadonlyMap<string, Labels>;

/** The shared firing set of one processor. */
export class FiringSet {
  constructor(private readonly store: StateStore) {}

  /** Every alert firing now. */
  async read(): Promise<Map<string, Labels>> {
    const out = new Map<string, Labels>();
    for (const [fp, bytes] of await this.store.fields(FIRING_KEY)) out.set(fp, JSON.parse(Buffer.from(bytes).toString('utf8')) as Labels);
    return out;
  }

  /** Records a firing alert, or removes a resolved one. */
  async record(fingerprint: string, labels: Labels, firing: boolean): Promise<void> {
    await this.store.batch([firing
      ? { op: 'set_field', key: FIRING_KEY, field: fingerprint, value: JSON.stringify(labels) }
      : { op: 'delete_field', key: FIRING_KEY, field: fingerprint }]);
  }
}

/** The fingerprint of a firing alert that inhibits this one, or undefined. */
export function inhibitor(rules: readonly InhibitRule[], fingerprint: string, labels: Labels, firing: FiringAlerts): string | undefined {
  for (const rule of rules) {
    if (!matchAll(rule.target, labels)) continue;
    // Alertmanager: an alert on both sides of a rule is not muted by alerts that are on both sides
    // too, or two such alerts would mute each other and nobody would hear of either.
    const bothSides = matchAll(rule.source, labels);
    for (const [fp, source] of firing) {
      if (fp === fingerprint || !matchAll(rule.source, source)) continue;
      if (bothSides && matchAll(rule.target, source)) continue;
      if (rule.equal.every((name) => (source[name] ?? '') === (labels[name] ?? ''))) return fp;
    }
  }
  return undefined;
}
