/**
 * A payload as Kafka messages: one per request (or per trace with `partition_traces_by_id`), each
 * value at most `max_message_bytes`, splitting requests that are too large at item boundaries.
 */
import { PermanentError } from '../../pipeline/errors.js';
import type { Encoding } from '../../pipeline/kafka/encoding.js';
import { recordBytes } from '../../pipeline/kafka/record-size.js';
import { splitByKey, splitPayload, toJson } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';

/** One Kafka message to produce. */
export interface OutMessage {
  /** The trace id in lowercase hex, as otelcol keys partitioned traces; null otherwise. */
  key: string | null;
  value: Buffer;
  items: number;
}

function encodeOne(payload: Payload, encoding: Encoding): Buffer {
  if (encoding === 'otlp_json') return Buffer.from(toJson(payload), 'utf8');
  const b = payload.bytes;
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Halves a request until every piece fits; a single item that does not fit is a PermanentError. */
function fit(payload: Payload, key: string | null, encoding: Encoding, maxBytes: number, out: OutMessage[]): void {
  const value = encodeOne(payload, encoding);
  if (value.length <= maxBytes) {
    out.push({ key, value, items: payload.itemCount });
    return;
  }
  if (payload.itemCount <= 1) {
    throw new PermanentError(`one ${payload.signal} item encodes to ${value.length} bytes, more than producer::max_message_bytes (${maxBytes})`);
  }
  for (const half of splitPayload(payload, Math.ceil(payload.itemCount / 2))) fit(half, key, encoding, maxBytes, out);
}

/** The messages for `payload`; throws a PermanentError when an item alone exceeds `maxBytes`. */
export function toMessages(payload: Payload, encoding: Encoding, maxBytes: number, byTraceId: boolean): OutMessage[] {
  const out: OutMessage[] = [];
  const groups = byTraceId && payload.signal === 'traces' ? splitByKey(payload) : [{ key: undefined, payload }];
  for (const g of groups) fit(g.payload, g.key ? Buffer.from(g.key).toString('hex') : null, encoding, maxBytes, out);
  return out;
}

/**
 * Groups messages into produce requests of at most `maxBytes` (values, keys, record overhead)
 * each, so that no partition's batch exceeds it (../../pipeline/kafka/record-size): the
 * partitioner may put every message of a request on one partition, so the bound is per request.
 */
export function toRequests(messages: readonly OutMessage[], maxBytes: number): OutMessage[][] {
  const requests: OutMessage[][] = [];
  let current: OutMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = recordBytes(m.value.length, m.key === null ? 0 : Buffer.byteLength(m.key));
    if (current.length > 0 && bytes + size > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
