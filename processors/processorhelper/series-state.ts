/**
 * The checkpoint layout of per-series processors (anomaly, baseline): one field per series in the
 * partition's map (`s:<series id>`, JSON of whatever the processor saves for it) and the last
 * applied offset.
 */

/** The field holding the last applied offset. */
export const OFFSET_FIELD = 'offset';
const SERIES_PREFIX = 's:';

/** The field of a series. */
export function seriesField(seriesId: string): string {
  return SERIES_PREFIX + seriesId;
}

/** Encodes a series for the store (bigint attribute values as strings, which JSON cannot hold). */
export function encodeSeries(s: unknown): string {
  // Without a replacer first: JSON.stringify calls it for every key and array element (a forest's
  // saved vectors are hundreds of numbers), and V8's fast path takes none. A bigint makes it throw.
  try {
    return JSON.stringify(s);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return JSON.stringify(s, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  }
}

/** Decodes a partition's map: its series (by id) and last applied offset. Unreadable fields are skipped and counted. */
export function decodeSeriesState<S>(fields: ReadonlyMap<string, Uint8Array>): { series: Map<string, S>; applied: bigint | undefined; skipped: number } {
  const series = new Map<string, S>();
  let applied: bigint | undefined;
  let skipped = 0;
  const text = new TextDecoder();
  for (const [field, value] of fields) {
    try {
      if (field === OFFSET_FIELD) applied = BigInt(text.decode(value));
      else if (field.startsWith(SERIES_PREFIX)) series.set(field.slice(SERIES_PREFIX.length), JSON.parse(text.decode(value)) as S);
    } catch {
      skipped++;
    }
  }
  return { series, applied, skipped };
}
