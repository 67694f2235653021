/**
 * The requests the load generator sends: the codec's realistic 512-span request, encoded once,
 * copied into a small ring whose copies differ only in their trace ids, so partitioning and
 * batching see many traces while the generator spends no CPU on encoding.
 */
import { randomBytes } from 'node:crypto';
import { makeRealisticTraceRequest } from '../pdata/index.js';

/** Span.trace_id (field 1, length-delimited, 16 bytes) followed by the builder's fixed first 4 id bytes. */
const TRACE_ID_MARK = [0x0a, 0x10, 0x5b, 0x8e, 0xff, 0xf7];

/** Offsets of every trace id's first byte in `bytes`. */
export function traceIdOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  outer: for (let i = 0; i + 18 <= bytes.length; i++) {
    for (let k = 0; k < TRACE_ID_MARK.length; k++) if (bytes[i + k] !== TRACE_ID_MARK[k]) continue outer;
    out.push(i + 2);
    i += 17;
  }
  return out;
}

/** A set of distinct export requests of `spansPerRequest` spans each. */
export interface RequestRing {
  readonly requests: Buffer[];
  readonly spansPerRequest: number;
  /** When set, each send takes a fresh request from here instead of the ring (the chain's, whose trace ids never repeat). */
  readonly next?: () => Buffer;
}

/** `size` copies of the realistic request; copy k gets trace id bytes 4..11 = (salt, k), distinct per run and per copy. */
export function makeRequestRing(size = 16, spansPerRequest = 512): RequestRing {
  const template = makeRealisticTraceRequest(spansPerRequest);
  const offsets = traceIdOffsets(template);
  if (offsets.length !== spansPerRequest) throw new Error(`found ${offsets.length} trace ids in a ${spansPerRequest}-span request`);
  const salt = randomBytes(4);
  const requests: Buffer[] = [];
  for (let k = 0; k < size; k++) {
    const copy = Buffer.from(template);
    for (const at of offsets) {
      salt.copy(copy, at + 4);
      copy.writeUInt32BE(k, at + 8);
    }
    requests.push(copy);
  }
  return { requests, spansPerRequest };
}
