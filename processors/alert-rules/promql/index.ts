/** vigil's PromQL: parse with the Prometheus grammar, evaluate over an in-memory series store. */
export { parseExpr } from './parse.js';
export { evaluateInstant, evaluateRange } from './engine.js';
export type { EvalOptions, RangeResultSeries } from './engine.js';
export { MemoryStorage } from './storage.js';
export type { Queryable, StoredSeries } from './storage.js';
export { PromqlError, lineColumn } from './ast.js';
export type { Expr, Matcher } from './ast.js';
export { labelsKey, formatLabels, METRIC_NAME } from './values.js';
export type { Labels, Sample, Value, Point } from './values.js';
export { parseDuration, formatDuration } from './literals.js';
export { parseMetric } from './parse-metric.js';
