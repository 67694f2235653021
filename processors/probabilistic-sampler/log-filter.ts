/**
 * Keeps the log records of a logs payload whose trace id passes a test, on the protobuf bytes.
 * The codec's filterSpans covers spans only; this reads LogRecord.trace_id (field 9) instead.
 */
import { Payload } from '../../pdata/payload.js';
import { buildRequest, indexRequest } from '../../pdata/tree.js';
import { Reader } from '../../pdata/wire.js';

/** Tag of LogRecord.trace_id: field 9, length-delimited. */
const TRACE_ID_TAG = (9 << 3) | 2;

/** The record's 16-byte trace id as a view into `bytes`, or undefined when absent, empty or all zeros. */
function traceIdOf(bytes: Uint8Array, start: number, end: number): Uint8Array | undefined {
  const r = new Reader(bytes, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag !== TRACE_ID_TAG) { r.skip(tag & 7); continue; }
    const len = r.uint32();
    const id = bytes.subarray(r.pos, r.pos + len);
    return len === 16 && id.some((b) => b !== 0) ? id : undefined;
  }
  return undefined;
}

/**
 * Keeps records whose trace id passes `keep`; records without a trace id are kept. Null when
 * nothing is left; the same payload when everything is kept.
 */
export function filterLogsByTraceId(payload: Payload, keep: (traceId: Uint8Array) => boolean): Payload | null {
  const tree = indexRequest('logs', payload.bytes);
  const kept = tree.leaves.filter((leaf) => {
    const id = traceIdOf(tree.bytes, leaf.start, leaf.end);
    return id === undefined || keep(id);
  });
  if (kept.length === tree.leaves.length) return payload;
  return kept.length === 0 ? null : new Payload('logs', buildRequest(tree, kept), kept.length);
}
