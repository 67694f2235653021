/**
 * How the baseline processor's state is checkpointed: one field per series in the partition's map
 * (`s:<series id>`, JSON of its identity, baseline and breaches) and the last applied offset
 * (processorhelper/series-state.ts).
 */
import type { Attributes } from '../../pdata/any-value.js';
import type { Breach } from './rules.js';
import type { BaselineState } from './series-baseline.js';

/** A saved series: where its points come from, its baseline, and its rules' breaches by rule name. */
export interface SavedSeries {
  readonly metric: string;
  readonly resource: Attributes;
  readonly attributes: Attributes;
  readonly baseline: BaselineState;
  readonly breaches: Record<string, Breach>;
}
