/**
 * The state of red_indicators in one partition, as one map: open windows (`w|<group>|<start>`),
 * the last point of every cumulative series (`s|<series id>`) and the last applied offset.
 */
import type { Attributes } from '../../pdata/index.js';
import type { LastPoint } from './cumulative.js';
import type { Dist } from './distribution.js';

/** One open window of one service + operation (+ dimensions). */
export interface OpenWindow {
  /** service.name, span.name and the configured dimensions: the emitted points' attributes. */
  readonly attributes: Attributes;
  readonly startMs: number;
  calls: number;
  errors: number;
  /** The latency distribution's increase, in the duration metric's unit. */
  latency: Dist | undefined;
  /** Milliseconds per unit of the duration metric (1 for ms, 1000 for s). */
  msPerUnit: number;
  /** The slowest spans of the window (span_metrics' exemplars), slowest first; absent in older checkpoints. */
  slowest?: WindowExemplar[];
  /** Erroring spans of the window (exemplars of duration points with status ERROR). */
  erroring?: WindowExemplar[];
}

/** A span behind a window, from an exemplar: ids in hex, value in the duration metric's unit. */
export interface WindowExemplar {
  readonly traceId: string;
  readonly spanId: string;
  readonly value: number;
  readonly timeMs: number;
}

/** The map field of the last applied offset. */
export const OFFSET_FIELD = 'offset';

/** The field of a window. */
export const windowField = (group: string, startMs: number): string => `w|${group}|${startMs}`;
/** The field of a cumulative series' last point. */
export const seriesField = (seriesId: string): string => `s|${seriesId}`;

/** A value as stored: JSON, bigint attribute values as strings. */
export const encode = (v: OpenWindow | LastPoint): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

/** Everything a loaded state map holds. */
export interface Loaded {
  windows: Map<string, OpenWindow>;
  series: Map<string, LastPoint>;
  applied: bigint | undefined;
}

/** Decodes a loaded state map (fields it does not know are ignored). */
export function decodeState(fields: Map<string, Uint8Array>): Loaded {
  const out: Loaded = { windows: new Map(), series: new Map(), applied: undefined };
  for (const [field, bytes] of fields) {
    const text = Buffer.from(bytes).toString('utf8');
    if (field === OFFSET_FIELD) out.applied = BigInt(text);
    else if (field.startsWith('w|')) out.windows.set(field, JSON.parse(text) as OpenWindow);
    else if (field.startsWith('s|')) out.series.set(field, JSON.parse(text) as LastPoint);
  }
  return out;
}
