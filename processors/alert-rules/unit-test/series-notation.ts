/** Prometheus' expanding notation for test series: `1+2x3` → 1 3 5 7, `_x2` → two gaps, `stale`, `Inf`. */
import { STALE_NAN } from '../promql/index.js';

/** One value of an input series; undefined is a gap (`_`). */
export type SeriesValue = number | undefined;

const NUMBER = String.raw`[+-]?(?:inf|nan|0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)`;
const ITEM = new RegExp(String.raw`^(stale|${NUMBER})(?:([+-](?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))?x(\d+))?$`, 'i');
const GAPS = /^_(?:x(\d+))?$/;

function toNumber(text: string): number {
  const lower = text.toLowerCase().replace(/^\+/, '');
  if (lower === 'stale') return STALE_NAN;
  if (lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan' || lower === '-nan') return NaN;
  if (/^-?0x/.test(lower)) return (lower.startsWith('-') ? -1 : 1) * parseInt(lower.replace('-', '').slice(2), 16);
  return Number(lower);
}

/** Expands a values string; throws an Error naming the bad item. */
export function expandValues(text: string): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const item of text.trim().split(/\s+/).filter((s) => s !== '')) {
    const gaps = GAPS.exec(item);
    if (gaps !== null) {
      // `_xN` is N gaps, while `axN` is N+1 values: Prometheus' grammar differs between the two.
      const n = gaps[1] === undefined ? 1 : Number(gaps[1]);
      for (let i = 0; i < n; i++) out.push(undefined);
      continue;
    }
    const m = ITEM.exec(item);
    if (m === null) throw new Error(`bad series value "${item}": expected a number, "stale", "_", or the form a+bxN`);
    let value = toNumber(m[1] ?? '');
    const times = m[3];
    if (times === undefined) {
      out.push(value);
      continue;
    }
    if (m[2] === undefined) {
      for (let i = 0; i <= Number(times); i++) out.push(value);
      continue;
    }
    const step = toNumber(m[2]);
    out.push(value);
    for (let i = 1; i <= Number(times); i++) {
      value += step;
      out.push(value);
    }
  }
  return out;
}
