/**
 * How the anomaly processor's models are checkpointed: one field per series in the partition's
 * map (`s:<series id>`, JSON of its identity and model) and the last applied offset
 * (processorhelper/series-state.ts).
 */
import type { Attributes } from '../../pdata/any-value.js';
import type { ModelState } from './series-model.js';

/** A saved series: where its points come from and its model. */
export interface SavedSeries {
  readonly metric: string;
  readonly resource: Attributes;
  readonly attributes: Attributes;
  readonly model: ModelState;
}
