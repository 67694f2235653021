/** OTLP export responses as the sender's SendResult: partial success in protobuf or JSON. */
import { Reader } from '../../pdata/wire.js';
import type { SendResult } from './sender.js';

/** Export*ServiceResponse.partial_success (1) {rejected_* int64 (1), error_message (2)}. */
export function partialSuccess(bytes: Uint8Array): SendResult {
  const result: SendResult = {};
  try {
    const r = new Reader(bytes);
    while (r.pos < r.end) {
      const tag = r.uint32();
      if (tag !== 0x0a) { r.skip(tag & 7); continue; }
      const end = r.uint32() + r.pos;
      while (r.pos < end) {
        const t = r.uint32();
        if (t === 0x08) { r.varint64(); result.rejected = r.hi * 4294967296 + (r.lo >>> 0); }
        else if (t === 0x12) { const len = r.uint32(); result.message = Buffer.from(bytes.subarray(r.pos, r.pos + len)).toString('utf8'); r.pos += len; }
        else r.skip(t & 7);
      }
    }
  } catch {
    // A response we cannot read still means the request was accepted.
  }
  return result;
}

/** `{"partialSuccess":{"rejectedSpans":"3","errorMessage":"…"}}` (any signal's rejected field). */
export function partialSuccessJson(text: string): SendResult {
  try {
    const partial = (JSON.parse(text) as { partialSuccess?: Record<string, unknown> }).partialSuccess;
    if (!partial) return {};
    const result: SendResult = {};
    for (const key of ['rejectedSpans', 'rejectedDataPoints', 'rejectedLogRecords']) {
      if (partial[key] !== undefined) result.rejected = Number(partial[key]);
    }
    if (typeof partial.errorMessage === 'string' && partial.errorMessage !== '') result.message = partial.errorMessage;
    return result;
  } catch {
    return {};
  }
}
