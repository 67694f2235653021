/** Server throttle hints: HTTP `Retry-After` and google.rpc.Status (with RetryInfo) bodies. */
import { Reader } from '../../pdata/wire.js';

/** `Retry-After` as delay-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** What a google.rpc.Status says. */
export interface RpcStatus {
  code: number;
  message: string;
  /** From a google.rpc.RetryInfo detail, when the server sent one. */
  retryDelayMs?: number;
}

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

/** Decodes google.rpc.Status{code=1, message=2, details=3 Any}; undefined when it is not one. */
export function parseRpcStatus(bytes: Uint8Array): RpcStatus | undefined {
  try {
    const status: RpcStatus = { code: 0, message: '' };
    const r = new Reader(bytes);
    while (r.pos < r.end) {
      const tag = r.uint32();
      const no = tag >>> 3;
      if (no === 1 && (tag & 7) === 0) status.code = r.uint32() | 0;
      else if (no === 2 && (tag & 7) === 2) status.message = text(r);
      else if (no === 3 && (tag & 7) === 2) {
        const delay = retryDelayOfAny(sub(r));
        if (delay !== undefined) status.retryDelayMs = delay;
      } else r.skip(tag & 7);
    }
    return status;
  } catch {
    return undefined;
  }
}

function sub(r: Reader): Uint8Array {
  const len = r.uint32();
  if (r.pos + len > r.end) throw new Error('truncated');
  const out = r.buf.subarray(r.pos, r.pos + len);
  r.pos += len;
  return out;
}

function text(r: Reader): string {
  return Buffer.from(sub(r)).toString('utf8');
}

function retryDelayOfAny(any: Uint8Array): number | undefined {
  const r = new Reader(any);
  let type = '';
  let value: Uint8Array | undefined;
  while (r.pos < r.end) {
    const tag = r.uint32();
    if (tag === 0x0a) type = text(r);
    else if (tag === 0x12) value = sub(r);
    else r.skip(tag & 7);
  }
  if (type !== RETRY_INFO || value === undefined) return undefined;
  // RetryInfo{retry_delay=1 Duration{seconds=1, nanos=2}}
  const info = new Reader(value);
  let ms = 0;
  while (info.pos < info.end) {
    const tag = info.uint32();
    if (tag !== 0x0a) { info.skip(tag & 7); continue; }
    const d = new Reader(sub(info));
    while (d.pos < d.end) {
      const dt = d.uint32();
      if (dt === 0x08) ms += d.uint32() * 1000;
      else if (dt === 0x10) ms += d.uint32() / 1e6;
      else d.skip(dt & 7);
    }
  }
  return Math.round(ms);
}
