/**
 * The state of window_sum in one partition: open windows by series and window start, and the
 * offset of the last record applied to them. Serialised to one state map per partition.
 */
import type { Attributes } from '../../pdata/index.js';

/** One open window of one series. */
export interface OpenWindow {
  readonly metric: string;
  readonly resource: Attributes;
  readonly attributes: Attributes;
  readonly startMs: number;
  sum: number;
  count: number;
}

/** The map field that holds the last applied offset (window fields are `<series>|<start>`). */
export const OFFSET_FIELD = 'offset';

/** The key of a window in the state map. */
export const windowKey = (series: string, startMs: number): string => `${series}|${startMs}`;

/** A window as stored: JSON, bigint attribute values as strings. */
export function encodeWindow(w: OpenWindow): string {
  return JSON.stringify(w, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The windows and the applied offset of a loaded state map. */
export function decodeState(fields: Map<string, Uint8Array>): { windows: Map<string, OpenWindow>; applied: bigint | undefined } {
  const windows = new Map<string, OpenWindow>();
  let applied: bigint | undefined;
  for (const [field, bytes] of fields) {
    const text = Buffer.from(bytes).toString('utf8');
    if (field === OFFSET_FIELD) applied = BigInt(text);
    else windows.set(field, JSON.parse(text) as OpenWindow);
  }
  return { windows, applied };
}
