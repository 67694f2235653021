/**
 * OTLP metrics as Prometheus samples, named the way Prometheus' OTLP translation names them:
 * invalid characters → `_`, the unit as a suffix (`_seconds`, `_bytes`, `_ratio` for unit-1
 * gauges), `_total` for monotonic sums, histograms as `_bucket{le}` / `_sum` / `_count`, summaries
 * as `{quantile}` / `_sum` / `_count`; `job` and `instance` from service.namespace/name and
 * service.instance.id.
 */
import type { DataPointView } from '../../../pdata/index.js';
import type { Labels } from '../promql/index.js';

const UNITS: Readonly<Record<string, string>> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams', Cel: 'celsius', Hz: 'hertz', '%': 'percent',
};
const PER_UNITS: Readonly<Record<string, string>> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

/** A name made of [a-zA-Z0-9_:] only, without repeated underscores (prometheusName adds `_` before a leading digit). */
export function sanitizeMetricName(name: string): string {
  const words = name.split(/[^a-zA-Z0-9:]+/).filter((w) => w !== '');
  return words.join('_');
}

/** A label name made of [a-zA-Z0-9_] only; a leading digit gets a `key_` prefix, as Prometheus does. */
export function sanitizeLabelName(name: string): string {
  const out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^\d/.test(out)) return `key_${out}`;
  if (out.startsWith('_') && !out.startsWith('__')) return `key${out}`;
  return out;
}

function unitWords(unit: string): string[] {
  const clean = unit.replace(/\{[^}]*\}/g, '').trim();
  if (clean === '' || clean === '1') return [];
  const [main = '', per] = clean.split('/');
  const words = [UNITS[main] ?? sanitizeMetricName(main)];
  if (per !== undefined && per !== '') words.push('per', PER_UNITS[per] ?? UNITS[per] ?? sanitizeMetricName(per));
  return words.filter((w) => w !== '');
}

/** The Prometheus name of an OTLP metric (before the _bucket/_sum/_count of histograms). */
export function prometheusName(p: Pick<DataPointView, 'metricName' | 'unit' | 'type' | 'monotonic'>): string {
  const base = sanitizeMetricName(p.metricName);
  const parts = base.split('_');
  for (const w of unitWords(p.unit).join('_').split('_').filter((x) => x !== '')) {
    if (!parts.includes(w)) parts.push(w);
  }
  if (p.type === 'gauge' && p.unit.trim() === '1' && !parts.includes('ratio')) parts.push('ratio');
  if (p.type === 'sum' && p.monotonic) {
    const i = parts.indexOf('total');
    if (i >= 0) parts.splice(i, 1);
    parts.push('total');
  }
  const name = parts.filter((x) => x !== '').join('_');
  return /^\d/.test(name) ? `_${name}` : name;
}

/** The labels of a point: its attributes, and job / instance from the resource. */
export function pointLabels(p: Pick<DataPointView, 'attributes' | 'resource'>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.attributes)) labels[sanitizeLabelName(k)] = attributeText(v);
  const name = p.resource['service.name'];
  const ns = p.resource['service.namespace'];
  if (name !== undefined) labels.job = ns !== undefined ? `${attributeText(ns)}/${attributeText(name)}` : attributeText(name);
  const instance = p.resource['service.instance.id'];
  if (instance !== undefined) labels.instance = attributeText(instance);
  return labels;
}

function attributeText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** One Prometheus sample translated from an OTLP point. */
export interface TranslatedSample {
  readonly labels: Labels;
  readonly value: number;
}

/** The Prometheus samples of one OTLP data point (none for exponential histograms). */
export function translatePoint(p: DataPointView): TranslatedSample[] {
  const name = prometheusName(p);
  const labels = pointLabels(p);
  const sample = (suffix: string, value: number, extra: Record<string, string> = {}): TranslatedSample =>
    ({ labels: { ...labels, ...extra, __name__: `${name}${suffix}` }, value });
  switch (p.type) {
    case 'gauge':
    case 'sum':
      return p.value === undefined ? [] : [sample('', p.value)];
    case 'histogram': {
      const out: TranslatedSample[] = [];
      let cumulative = 0;
      const bounds = p.explicitBounds ?? [];
      (p.bucketCounts ?? []).forEach((c, i) => {
        cumulative += c;
        out.push(sample('_bucket', cumulative, { le: i < bounds.length ? formatBound(bounds[i] ?? 0) : '+Inf' }));
      });
      if (p.count !== undefined) out.push(sample('_count', p.count));
      if (p.sum !== undefined) out.push(sample('_sum', p.sum));
      return out;
    }
    case 'summary': {
      const out = (p.quantiles ?? []).map((q) => sample('', q.value, { quantile: formatBound(q.quantile) }));
      if (p.count !== undefined) out.push(sample('_count', p.count));
      if (p.sum !== undefined) out.push(sample('_sum', p.sum));
      return out;
    }
    default:
      return [];
  }
}

/** Prometheus' text form of a bucket bound or quantile. */
function formatBound(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
