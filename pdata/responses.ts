/** OTLP export responses (with partial success) and google.rpc.Status error bodies, protobuf and JSON. */
import type { Signal } from './payload.js';
import { Writer } from './wire.js';

const REJECTED_JSON: Readonly<Record<Signal, string>> = {
  traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords',
};

/**
 * Export{Trace,Metrics,Logs}ServiceResponse: partial_success (field 1) holding rejected count (1)
 * and error_message (2); empty bytes when nothing was rejected and there is no message.
 */
export function encodeExportResponse(signal: Signal, rejected: number, message: string): Uint8Array {
  if (rejected === 0 && message === '') return new Uint8Array(0);
  const inner = new Writer(64);
  if (rejected !== 0) { inner.tag(1, 0); inner.varint64(rejected >>> 0, Math.floor(rejected / 4294967296) >>> 0); }
  if (message !== '') { inner.tag(2, 2); inner.string(message); }
  const out = new Writer(inner.pos + 8);
  out.tag(1, 2);
  out.bytes(inner.finish());
  return out.finish();
}

/** The JSON form: `{}` or `{"partialSuccess":{"rejectedSpans":"3","errorMessage":"…"}}`. */
export function exportResponseJson(signal: Signal, rejected: number, message: string): string {
  if (rejected === 0 && message === '') return '{}';
  const partial: Record<string, string> = {};
  if (rejected !== 0) partial[REJECTED_JSON[signal]] = String(rejected);
  if (message !== '') partial.errorMessage = message;
  return JSON.stringify({ partialSuccess: partial });
}

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

/** Duration{seconds=1, nanos=2} of a millisecond delay. */
function duration(ms: number): Uint8Array {
  const w = new Writer(16);
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (seconds !== 0) { w.tag(1, 0); w.varint64(seconds >>> 0, Math.floor(seconds / 4294967296) >>> 0); }
  if (nanos !== 0) { w.tag(2, 0); w.uint32(nanos); }
  return w.finish();
}

/**
 * google.rpc.Status{code=1, message=2, details=3 Any{type_url=1, value=2}}; with `retryDelayMs` a
 * RetryInfo{retry_delay=1} detail, which OTLP clients honour before retrying.
 */
export function encodeStatus(code: number, message: string, retryDelayMs?: number): Uint8Array {
  const w = new Writer(64 + message.length * 3);
  if (code !== 0) { w.tag(1, 0); w.varint64(code >>> 0, code < 0 ? 0xffffffff : 0); }
  if (message !== '') { w.tag(2, 2); w.string(message); }
  if (retryDelayMs !== undefined) {
    const info = new Writer(24);
    info.tag(1, 2);
    info.bytes(duration(retryDelayMs));
    const any = new Writer(64);
    any.tag(1, 2);
    any.string(RETRY_INFO);
    any.tag(2, 2);
    any.bytes(info.finish());
    w.tag(3, 2);
    w.bytes(any.finish());
  }
  return w.finish();
}

/** The JSON form of google.rpc.Status; retryDelay as a proto3 JSON Duration ("1.500s"). */
export function statusJson(code: number, message: string, retryDelayMs?: number): string {
  const status: Record<string, unknown> = { code, message };
  if (retryDelayMs !== undefined) {
    const seconds = Math.floor(retryDelayMs / 1000);
    const ms = Math.round(retryDelayMs - seconds * 1000);
    const delay = ms === 0 ? `${seconds}s` : `${seconds}.${String(ms).padStart(3, '0')}s`;
    status.details = [{ '@type': RETRY_INFO, retryDelay: delay }];
  }
  return JSON.stringify(status);
}
