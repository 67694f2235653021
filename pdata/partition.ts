/**
 * Partitioning of every signal: which partition each item (span, data point, log record) of a
 * request belongs to, and the request rebuilt once per partition it touches. Keys go through
 * Kafka's default partitioner (partitionOf), so the embedded log and a Kafka topic agree.
 */
import { canonicalValue, findKeyValue, type AttributeValue } from './any-value.js';
import { Payload } from './payload.js';
import { groupSpansByPartition, partitionOf } from './records.js';
import { hashBytes, hashKeyValues, seriesHash } from './series-hash.js';
import { buildRequest, indexRequest, type Node, type Tree } from './tree.js';
import { Reader } from './wire.js';

/**
 * What an item is keyed by. trace_id: spans and log records by their trace id (log records without
 * one are unkeyed). series: data points by their series (metric name, resource and point attributes,
 * hashed from the bytes: see ./series-hash; not a hash of seriesId). attribute: the item's
 * attribute `name`, else its resource's; absent → unkeyed. none: nothing is keyed. Unkeyed items
 * of a request stay together on one partition, chosen round-robin per request; a key that does not
 * apply to the signal (series for spans) leaves every item unkeyed.
 */
export type PartitionKey = { by: 'trace_id' } | { by: 'series' } | { by: 'attribute'; name: string } | { by: 'none' };

let roundRobin = 0;

/**
 * The request split by partition: one payload per partition touched, each holding the items whose
 * key maps there, under raw copies of their resource and scope. One partition touched: the same
 * payload. Without `key`: traces by trace id, metrics and logs whole on partition 0 (as before keys).
 */
export function groupByPartition(payload: Payload, partitions: number, key?: PartitionKey): Map<number, Payload> {
  if (key === undefined) {
    if (payload.signal !== 'traces') return new Map([[0, payload]]);
    key = { by: 'trace_id' };
  }
  if (partitions <= 1 || payload.itemCount === 0) return new Map([[0, payload]]);
  if (payload.signal === 'traces' && key.by === 'trace_id') return groupSpansByPartition(payload, partitions);
  if (key.by === 'none' || (key.by === 'series' && payload.signal !== 'metrics') || (key.by === 'trace_id' && payload.signal === 'metrics')) {
    return new Map([[nextRoundRobin(partitions), payload]]);
  }
  const tree = indexRequest(payload.signal, payload.bytes);
  const keyOf = keyFunction(payload, tree, key);
  const groups = new Map<number, Node[]>();
  let unkeyed = -1;
  for (const leaf of tree.leaves) {
    const k = keyOf(leaf);
    let partition: number;
    if (k === undefined) {
      if (unkeyed < 0) unkeyed = nextRoundRobin(partitions);
      partition = unkeyed;
    } else {
      partition = partitionOf(k, partitions);
    }
    const list = groups.get(partition);
    if (list) list.push(leaf);
    else groups.set(partition, [leaf]);
  }
  const out = new Map<number, Payload>();
  for (const [partition, leaves] of groups) {
    out.set(partition, groups.size === 1 ? payload : new Payload(payload.signal, buildRequest(tree, leaves), leaves.length));
  }
  return out;
}

// One counter for the process: requests without a key spread over partitions like Kafka's round-robin partitioner.
function nextRoundRobin(partitions: number): number {
  roundRobin = (roundRobin + 1) % 0x40000000;
  return roundRobin % partitions;
}

type KeyOf = (leaf: Node) => Uint8Array | undefined;

function keyFunction(payload: Payload, tree: Tree, key: PartitionKey): KeyOf {
  const b = tree.bytes;
  if (key.by === 'trace_id') return (leaf) => logTraceId(b, leaf);
  if (key.by === 'series') return seriesKeyFunction(b);
  if (key.by !== 'attribute') return () => undefined;
  const name = key.name;
  const resources = new Map<Node, AttributeValue | undefined>();
  const field = payload.signal === 'traces' ? 9 : payload.signal === 'logs' ? 6 : 0;
  return (leaf) => {
    let v = findKeyValue(b, leaf.start, leaf.end, field || pointAttributesField(leaf), name);
    if (v === undefined) {
      const res = resourceNode(leaf);
      if (!resources.has(res)) resources.set(res, resourceAttribute(b, res, name));
      v = resources.get(res);
    }
    if (v === undefined) return undefined;
    return Buffer.from(typeof v === 'string' ? v : canonicalValue(v), 'utf8');
  };
}

/** The resource_* node above an item: the child of the root on its path. */
function resourceNode(leaf: Node): Node {
  let n = leaf;
  while (n.parent!.parent !== null) n = n.parent!;
  return n;
}

/** The range of the first field `no` (length-delimited) among a node's verbatim fields. */
function otherField(b: Uint8Array, node: Node, no: number): [number, number] | undefined {
  const o = node.other;
  const want = (no << 3) | 2;
  for (let i = 0; i < o.length; i += 2) {
    const r = new Reader(b, o[i], o[i + 1]);
    while (r.pos < r.end) {
      const tag = r.uint32();
      if (tag !== want) { r.skip(tag & 7); continue; }
      const n = r.length();
      return [r.pos, r.pos + n];
    }
  }
  return undefined;
}

function resourceAttribute(b: Uint8Array, res: Node, name: string): AttributeValue | undefined {
  const at = otherField(b, res, 1);
  return at ? findKeyValue(b, at[0], at[1], 1, name) : undefined;
}

/** The attributes field of a data point, by the type of its metric (the field under Metric). */
function pointAttributesField(leaf: Node): number {
  const type = leaf.parent!.fieldNo;
  return type === 9 ? 9 : type === 10 ? 1 : 7;
}

/**
 * Keys data points by series from the raw bytes (./series-hash): the resource's attributes hashed once
 * per resource and the metric name once per metric (a request lists a metric's points together), the
 * point's attributes per point. The key is the 4-byte series hash; the buffer is reused per point,
 * as groupByPartition reads it at once.
 */
function seriesKeyFunction(b: Uint8Array): KeyOf {
  const key = new Uint8Array(4);
  let res: Node | undefined;
  let resHash = 0;
  let metric: Node | undefined;
  let nameHash = 0;
  return (leaf) => {
    const m = leaf.parent!.parent!;
    if (m !== metric) {
      metric = m;
      const at = otherField(b, m, 1);
      nameHash = at ? hashBytes(b, at[0], at[1]) : 0; // no name hashes like an empty one
      const r = resourceNode(m);
      if (r !== res) {
        res = r;
        const resource = otherField(b, r, 1);
        resHash = resource ? hashKeyValues(b, resource[0], resource[1], 1) : 0;
      }
    }
    const h = seriesHash(nameHash, resHash, hashKeyValues(b, leaf.start, leaf.end, pointAttributesField(leaf)));
    key[0] = h >>> 24;
    key[1] = h >>> 16;
    key[2] = h >>> 8;
    key[3] = h;
    return key;
  };
}

/** A log record's trace id (field 9), unless absent or all zeros. */
function logTraceId(b: Uint8Array, leaf: Node): Uint8Array | undefined {
  const r = new Reader(b, leaf.start, leaf.end);
  while (r.pos < leaf.end) {
    const tag = r.uint32();
    if (tag !== 0x4a) { r.skip(tag & 7); continue; }
    const n = r.length();
    const id = b.subarray(r.pos, r.pos + n);
    return n === 16 && id.some((x) => x !== 0) ? id : undefined;
  }
  return undefined;
}
