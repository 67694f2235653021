/** Prometheus' expanding notation for test series: `1+2x3` → 1 3 5 7, `_x2` → two gaps, `stale`, `Inf`. */
/** One value of an input series; undefined is a gap (`_`), 'stale' a staleness marker. */
export type SeriesValue = number | 'stale' | undefined;

// No hex here: in `0x10`, x is the repetition operator.
const NUMBER = String.raw`[+-]?(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)`;
const ITEM = new RegExp(String.raw`^(stale|${NUMBER})(?:([+-](?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))?x(\d+))?$`, 'i');
const GAPS = /^_(?:x(\d+))?$/;

function toNumber(text: string): number {
  const lower = text.toLowerCase().replace(/^\+/, '');
  if (lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan' || lower === '-nan') return NaN;
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
    const first = m[1] ?? '';
    const times = m[3];
    if (first.toLowerCase() === 'stale') {
      for (let i = 0; i <= (times === undefined || m[2] !== undefined ? 0 : Number(times)); i++) out.push('stale');
      continue;
    }
    let value = toNumber(first);
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
