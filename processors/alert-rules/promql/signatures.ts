/** The functions vigil's PromQL supports: argument and return types, for the type checker. */
import type { ValueType } from './ast.js';

/** A function's signature. */
export interface Signature {
  readonly args: readonly ValueType[];
  readonly returns: ValueType;
}

const RANGE_TO_VECTOR: Signature = { args: ['matrix'], returns: 'vector' };

/** Every supported function by name. */
export const SIGNATURES: ReadonlyMap<string, Signature> = new Map<string, Signature>([
  ['rate', RANGE_TO_VECTOR],
  ['increase', RANGE_TO_VECTOR],
  ['irate', RANGE_TO_VECTOR],
  ['delta', RANGE_TO_VECTOR],
  ['avg_over_time', RANGE_TO_VECTOR],
  ['min_over_time', RANGE_TO_VECTOR],
  ['max_over_time', RANGE_TO_VECTOR],
  ['sum_over_time', RANGE_TO_VECTOR],
  ['count_over_time', RANGE_TO_VECTOR],
  ['last_over_time', RANGE_TO_VECTOR],
  ['stddev_over_time', RANGE_TO_VECTOR],
  ['stdvar_over_time', RANGE_TO_VECTOR],
  ['present_over_time', RANGE_TO_VECTOR],
  ['quantile_over_time', { args: ['scalar', 'matrix'], returns: 'vector' }],
  ['histogram_quantile', { args: ['scalar', 'vector'], returns: 'vector' }],
  ['absent', { args: ['vector'], returns: 'vector' }],
  ['abs', { args: ['vector'], returns: 'vector' }],
  ['clamp', { args: ['vector', 'scalar', 'scalar'], returns: 'vector' }],
  ['clamp_min', { args: ['vector', 'scalar'], returns: 'vector' }],
  ['clamp_max', { args: ['vector', 'scalar'], returns: 'vector' }],
  ['vector', { args: ['scalar'], returns: 'vector' }],
  ['scalar', { args: ['vector'], returns: 'scalar' }],
  ['time', { args: [], returns: 'scalar' }],
]);
