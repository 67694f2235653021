/**
 * A light index of an export request's envelope (resource → scope → item, and for metrics
 * metric → data → data point), and a builder that writes a valid request holding any subset of
 * its items. Everything that is not on the path to an item (resource, scope, schema_url, metric
 * name, temporality, unknown fields) is copied as raw bytes, so nothing is decoded or lost.
 */
import type { Signal } from './payload.js';
import { Reader, varintSize } from './wire.js';

/** Field numbers leading from the request down to an item, per level. */
const PATHS: Readonly<Record<Signal, readonly (readonly number[])[]>> = {
  traces: [[1], [2], [2]],
  logs: [[1], [2], [2]],
  // request → resource_metrics → scope_metrics → metrics → gauge|sum|histogram|exp_histogram|summary → data_points
  metrics: [[1], [2], [2], [5, 7, 9, 10, 11], [1]],
};

/** One message on the path: raw ranges of its other fields, and its position in the request. */
export class Node {
  /** Pairs [start, end) of fields copied verbatim. */
  readonly other: number[] = [];
  otherLen = 0;
  /** An item: copied whole. */
  leaf = false;
  // scratch state of one build
  stamp = 0;
  size = 0;
  kids: Node[] = [];

  constructor(
    readonly parent: Node | null,
    readonly fieldNo: number,
    /** Content range (after tag and length). */
    readonly start: number,
    readonly end: number,
  ) {}
}

/** The indexed request: its root and its items (leaves) in document order. */
export interface Tree {
  readonly bytes: Uint8Array;
  readonly root: Node;
  readonly leaves: Node[];
}

/** Indexes a validated request. */
export function indexRequest(signal: Signal, bytes: Uint8Array): Tree {
  const path = PATHS[signal];
  const root = new Node(null, 0, 0, bytes.length);
  const leaves: Node[] = [];
  const r = new Reader(bytes);
  const scan = (node: Node, level: number): void => {
    r.pos = node.start;
    r.end = node.end;
    const wanted = path[level]!;
    while (r.pos < node.end) {
      const from = r.pos;
      const tag = r.uint32();
      const no = tag >>> 3;
      if ((tag & 7) === 2 && wanted.includes(no)) {
        const len = r.uint32();
        const kid = new Node(node, no, r.pos, r.pos + len);
        r.pos += len;
        if (level + 1 === path.length) {
          kid.leaf = true;
          leaves.push(kid);
        } else {
          const resume = r.pos;
          scan(kid, level + 1);
          r.pos = resume;
          r.end = node.end;
        }
        continue;
      }
      r.skip(tag & 7);
      const o = node.other;
      if (o.length > 0 && o[o.length - 1] === from) o[o.length - 1] = r.pos;
      else o.push(from, r.pos);
      node.otherLen += r.pos - from;
    }
  };
  scan(root, 0);
  return { bytes, root, leaves };
}

let stamps = 0;

/** Writes a request holding exactly `leaves` (a subset of tree.leaves, in document order). */
export function buildRequest(tree: Tree, leaves: readonly Node[]): Uint8Array {
  const stamp = ++stamps;
  const { root, bytes } = tree;
  root.stamp = stamp;
  root.kids = [];
  for (const leaf of leaves) {
    leaf.size = leaf.end - leaf.start;
    let child = leaf;
    let p = leaf.parent!;
    // Attach the leaf and every ancestor not yet attached in this build.
    for (;;) {
      const fresh = p.stamp !== stamp;
      if (fresh) { p.stamp = stamp; p.kids = []; }
      p.kids.push(child);
      if (!fresh || p === root) break;
      child = p;
      p = p.parent!;
    }
  }
  const total = measure(root);
  const out = new Uint8Array(total);
  write(root, bytes, out, 0);
  return out;
}

/** Content size of a node in this build, bottom-up. */
function measure(node: Node): number {
  let size = node.otherLen;
  for (const kid of node.kids) {
    const s = kid.leaf ? kid.size : measure(kid);
    kid.size = s;
    size += 1 + varintSize(s) + s;
  }
  return size;
}

/** Writes a node's content at `at`; returns the position after it. */
function write(node: Node, src: Uint8Array, out: Uint8Array, at: number): number {
  const o = node.other;
  for (let i = 0; i < o.length; i += 2) {
    out.set(src.subarray(o[i], o[i + 1]), at);
    at += o[i + 1]! - o[i]!;
  }
  for (const kid of node.kids) {
    out[at++] = (kid.fieldNo << 3) | 2;
    let v = kid.size;
    while (v >= 0x80) { out[at++] = (v & 0x7f) | 0x80; v >>>= 7; }
    out[at++] = v;
    if (kid.leaf) {
      out.set(src.subarray(kid.start, kid.end), at);
      at += kid.size;
    } else {
      at = write(kid, src, out, at);
    }
  }
  return at;
}
