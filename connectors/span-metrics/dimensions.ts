/**
 * Which attributes a span's metrics carry, and the key that tells series apart — otelcol's
 * buildKey and buildAttributes: service.name, span.name, span.kind, status.code and
 * collector.instance.id (less exclude_dimensions), the instrumentation scope when asked for, then
 * each configured dimension from the span's attributes, else the resource's (or event's), else its default.
 */
import { canonicalValue, type AttributeValue, type Attributes } from '../../pdata/index.js';
import type { Dimension } from './config.js';
import { compileGlob } from './glob.js';
import type { SeriesAttributes } from './series-table.js';

const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
/** Separates the values in a series key (otelcol uses a NUL byte too). */
const SEP = '\u0000';

/** The span kind as otelcol writes it (`SPAN_KIND_SERVER`); '' for an unknown value. */
export const spanKindString = (kind: number): string => SPAN_KINDS[kind] ?? '';
/** The status code as otelcol writes it (`STATUS_CODE_ERROR`); '' for an unknown value. */
export const statusCodeString = (code: number): string => STATUS_CODES[code] ?? '';

/** Configured dimensions, compiled: named ones (with defaults) and globs. */
export interface DimensionList {
  readonly names: ReadonlyArray<{ name: string; default: string | undefined }>;
  readonly globs: readonly RegExp[];
}

/** Compiles a validated dimension list. */
export function compileDimensions(dims: readonly Dimension[]): DimensionList {
  return {
    names: dims.filter((d) => d.glob === '').map((d) => ({ name: d.name, default: d.default })),
    globs: dims.filter((d) => d.glob !== '').map((d) => compileGlob(d.glob)!),
  };
}

/** The span fields the key and attributes are built from. */
export interface SpanFacts {
  readonly serviceName: string;
  readonly name: string;
  readonly kind: number;
  readonly statusCode: number;
  readonly attributes: Attributes;
  readonly scopeName: string;
  readonly scopeVersion: string;
}

/** Settings that shape every key and attribute set. */
export interface DimensionSettings {
  readonly exclude: ReadonlySet<string>;
  readonly instanceId: string;
  readonly includeScopes: ReadonlySet<string>;
  readonly samplingMethod: boolean;
}

const has = (o: Attributes, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Calls `f` for each dimension of `dims` the span has a value for (span attributes first, then `other`). */
function matchDimensions(dims: DimensionList, span: Attributes, other: Attributes, f: (name: string, v: AttributeValue) => void): void {
  for (const d of dims.names) {
    if (has(span, d.name)) f(d.name, span[d.name]!);
    else if (has(other, d.name)) f(d.name, other[d.name]!);
    else if (d.default !== undefined) f(d.name, d.default);
  }
  if (dims.globs.length === 0) return;
  for (const n of Object.keys(span).sort()) {
    if (dims.globs.some((g) => g.test(n))) f(n, span[n]!);
  }
  for (const n of Object.keys(other).sort()) {
    if (!has(span, n) && dims.globs.some((g) => g.test(n))) f(n, other[n]!);
  }
}

/** A value as otelcol's Value.AsString spells it in keys (strings as they are). */
const asString = (v: AttributeValue): string => (typeof v === 'string' ? v : canonicalValue(v));

/** The series key: the values of every dimension, NUL-separated. */
export function buildKey(s: DimensionSettings, span: SpanFacts, dims: DimensionList, extra: DimensionList, other: Attributes, adjusted: boolean): string {
  let key = '';
  if (!s.exclude.has('service.name')) key += span.serviceName;
  if (!s.exclude.has('span.name')) key += SEP + span.name;
  if (!s.exclude.has('span.kind')) key += SEP + spanKindString(span.kind);
  if (!s.exclude.has('status.code')) key += SEP + statusCodeString(span.statusCode);
  const add = (n: string, v: AttributeValue): void => { key += `${SEP}${n}:${asString(v)}`; };
  matchDimensions(dims, span.attributes, other, add);
  matchDimensions(extra, span.attributes, other, add);
  if (s.samplingMethod) key += SEP + (adjusted ? 'extrapolated' : 'counted');
  return key;
}

/** The attributes of a new series. */
export function buildAttributes(s: DimensionSettings, span: SpanFacts, dims: DimensionList, extra: DimensionList, other: Attributes, adjusted: boolean): SeriesAttributes {
  const attrs: SeriesAttributes = {};
  if (!s.exclude.has('service.name')) attrs['service.name'] = span.serviceName;
  if (!s.exclude.has('span.name')) attrs['span.name'] = span.name;
  if (!s.exclude.has('span.kind')) attrs['span.kind'] = spanKindString(span.kind);
  if (!s.exclude.has('status.code')) attrs['status.code'] = statusCodeString(span.statusCode);
  if (!s.exclude.has('collector.instance.id')) attrs['collector.instance.id'] = s.instanceId;
  if (span.scopeName !== '' && s.includeScopes.has(span.scopeName)) {
    attrs['span.instrumentation.scope.name'] = span.scopeName;
    if (span.scopeVersion !== '') attrs['span.instrumentation.scope.version'] = span.scopeVersion;
  }
  if (s.samplingMethod) attrs['sampling.method'] = adjusted ? 'extrapolated' : 'counted';
  const put = (n: string, v: AttributeValue): void => {
    if (n === '__proto__') Object.defineProperty(attrs, n, { value: v, enumerable: true, writable: true, configurable: true });
    else attrs[n] = v;
  };
  matchDimensions(dims, span.attributes, other, put);
  matchDimensions(extra, span.attributes, other, put);
  return attrs;
}
