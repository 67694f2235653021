/**
 * How the baseline processor's state is checkpointed: one field per series in the partition's map
 * (`s:<series id>`, JSON of its identity, baseline and breaches) and the last applied offset.
 */
import type { Attributes } from '../../pdata/any-value.js';
import type { Breach } from './rules.js';
import type { BaselineState } from './series-baseline.js';

/** The field holding the last applied offset. */
export const OFFSET_FIELD = 'offset';
const SERIES_PREFIX = 's:';

/** A saved series: where its points come from, its baseline, and its rules' breaches by rule name. */
export interface SavedSeries {
  readonly metric: string;
  readonly resource: Attributes;
  readonly attributes: Attributes;
  readonly baseline: BaselineState;
  readonly breaches: Record<string, Breach>;
}

/** The field of a series. */
export function seriesField(seriesId: string): string {
  return SERIES_PREFIX + seriesId;
}

/** Encodes a series for the store (bigint attribute values as strings). */
export function encodeSeries(s: SavedSeries): string {
  return JSON.stringify(s, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Decodes a partition's map: its series (by id) and last applied offset. Unreadable fields are skipped and counted. */
export function decodeState(fields: ReadonlyMap<string, Uint8Array>): { series: Map<string, SavedSeries>; applied: bigint | undefined; skipped: number } {
  const series = new Map<string, SavedSeries>();
  let applied: bigint | undefined;
  let skipped = 0;
  const text = new TextDecoder();
  for (const [field, value] of fields) {
    try {
      if (field === OFFSET_FIELD) applied = BigInt(text.decode(value));
      else if (field.startsWith(SERIES_PREFIX)) series.set(field.slice(SERIES_PREFIX.length), JSON.parse(text.decode(value)) as SavedSeries);
    } catch {
      skipped++;
    }
  }
  return { series, applied, skipped };
}
