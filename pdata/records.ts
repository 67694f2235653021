/**
 * The operations the pipeline performs on requests — split by trace, group by partition, filter,
 * merge, split by size — all on the protobuf bytes: items are copied whole under raw copies of their
 * resource and scope, nothing is decoded beyond the envelope.
 */
import { Payload } from './payload.js';
import { buildRequest, indexRequest, type Node, type Tree } from './tree.js';
import { Reader } from './wire.js';

export { forEachSpan, type SpanView } from './span-view.js';

/** Offset of a span's 16 trace-id bytes (validated requests always have them). */
function traceIdAt(bytes: Uint8Array, span: Node): number {
  const r = new Reader(bytes, span.start, span.end);
  while (r.pos < span.end) {
    const tag = r.uint32();
    if (tag === 0x0a) { r.uint32(); return r.pos; }
    r.skip(tag & 7);
  }
  return -1;
}

function piece(payload: Payload, tree: Tree, leaves: readonly Node[]): Payload {
  return new Payload(payload.signal, buildRequest(tree, leaves), leaves.length);
}

/** Removes the items with the given document-order ordinals (the decoder's partial success). */
export function rebuildWithout(payload: Payload, ordinals: readonly number[]): Payload {
  const tree = indexRequest(payload.signal, payload.bytes);
  const drop = new Set(ordinals);
  return piece(payload, tree, tree.leaves.filter((_, i) => !drop.has(i)));
}

/** Groups the spans of a traces tree by a function of their trace id, keeping document order. */
function groupSpans<K>(tree: Tree, keyOf: (bytes: Uint8Array, at: number) => K): Map<K, Node[]> {
  const groups = new Map<K, Node[]>();
  for (const leaf of tree.leaves) {
    const key = keyOf(tree.bytes, traceIdAt(tree.bytes, leaf));
    const list = groups.get(key);
    if (list) list.push(leaf);
    else groups.set(key, [leaf]);
  }
  return groups;
}

const hexKey = (b: Uint8Array, at: number): string => Buffer.from(b.buffer, b.byteOffset + at, 16).toString('latin1');

/** One trace of a request (or the whole request of another signal, unkeyed). */
export interface KeyedPiece {
  /** A copy of the trace id's 16 bytes. */
  readonly key: Uint8Array | undefined;
  /** The same 16 bytes as a latin1 string, for a Map key. */
  readonly id: string | undefined;
  readonly payload: Payload;
}

/**
 * One entry per trace id for traces; one entry with an undefined key for metrics and logs. A
 * single-trace request comes back as the same payload.
 */
export function splitByKey(payload: Payload): KeyedPiece[] {
  if (payload.signal !== 'traces' || payload.itemCount === 0) return [{ key: undefined, id: undefined, payload }];
  const tree = indexRequest('traces', payload.bytes);
  const groups = groupSpans(tree, hexKey);
  const out: KeyedPiece[] = [];
  for (const [id, leaves] of groups) {
    out.push({ key: Uint8Array.from(Buffer.from(id, 'latin1')), id, payload: groups.size === 1 ? payload : piece(payload, tree, leaves) });
  }
  return out;
}

/**
 * A traces request grouped by the partition of its trace ids (at most `partitions` rebuilt requests);
 * the trace path of groupByPartition (./partition). One partition touched: the same payload.
 */
export function groupSpansByPartition(payload: Payload, partitions: number): Map<number, Payload> {
  if (payload.signal !== 'traces' || partitions <= 1 || payload.itemCount === 0) return new Map([[0, payload]]);
  const tree = indexRequest('traces', payload.bytes);
  // The trace id is hashed in place: a view per span was a visible share of the receiving thread.
  const groups = groupSpans(tree, (b, at) => (murmur2(b, at, 16) & 0x7fffffff) % partitions);
  const out = new Map<number, Payload>();
  for (const [partition, leaves] of groups) out.set(partition, groups.size === 1 ? payload : piece(payload, tree, leaves));
  return out;
}

/**
 * The partition of a key: Kafka's default partitioner (murmur2, seed 0x9747b28c, sign bit masked,
 * modulo the count), so the embedded log and a Kafka topic agree. Undefined key → 0.
 */
export function partitionOf(key: Uint8Array | undefined, partitions: number): number {
  if (key === undefined || partitions <= 1) return 0;
  return (murmur2(key, 0, key.length) & 0x7fffffff) % partitions;
}

/** Kafka's murmur2 of data[start, start + len). */
function murmur2(data: Uint8Array, start: number, len: number): number {
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ len;
  const whole = start + (len & ~3);
  for (let i = start; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = len & 3;
  if (tail === 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) { h ^= data[whole]!; h = Math.imul(h, m); }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

/**
 * Keeps the spans whose trace id passes `keep` (given a view into the payload: copy it to keep it);
 * empty resources and scopes go. Null when nothing is left; the same payload when all is kept.
 */
export function filterSpans(payload: Payload, keep: (traceId: Uint8Array) => boolean): Payload | null {
  if (payload.signal !== 'traces') return payload;
  const tree = indexRequest('traces', payload.bytes);
  const b = tree.bytes;
  const kept = tree.leaves.filter((leaf) => {
    const at = traceIdAt(b, leaf);
    return keep(b.subarray(at, at + 16));
  });
  if (kept.length === tree.leaves.length) return payload;
  return kept.length === 0 ? null : piece(payload, tree, kept);
}

/** One request holding all of them: concatenated protobuf requests merge their repeated field 1. */
export function mergePayloads(payloads: readonly Payload[]): Payload {
  if (payloads.length === 0) throw new Error('mergePayloads needs at least one payload');
  if (payloads.length === 1) return payloads[0]!;
  const signal = payloads[0]!.signal;
  let size = 0;
  let items = 0;
  for (const p of payloads) {
    if (p.signal !== signal) throw new Error(`cannot merge ${p.signal} into ${signal}`);
    size += p.bytes.length;
    items += p.itemCount;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of payloads) { out.set(p.bytes, at); at += p.bytes.length; }
  return new Payload(signal, out, items);
}

/**
 * Requests of at most `maxItems` items each, cut at item granularity (metrics: per data point, the
 * metric's name, unit and temporality repeated in every piece), each under its resource and scope.
 */
export function splitPayload(payload: Payload, maxItems: number): Payload[] {
  if (maxItems < 1) throw new Error(`maxItems must be at least 1, got ${maxItems}`);
  if (payload.itemCount <= maxItems) return [payload];
  const tree = indexRequest(payload.signal, payload.bytes);
  const out: Payload[] = [];
  for (let i = 0; i < tree.leaves.length; i += maxItems) out.push(piece(payload, tree, tree.leaves.slice(i, i + maxItems)));
  return out;
}
