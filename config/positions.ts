/**
 * A YAML document as a tree that remembers where every key and value was written. Merging,
 * `--set` and env expansion work on this tree, so a value keeps its file, line and column through
 * all of them; `toPlain` gives the plain data that schemas check, `locate` maps a key path back.
 */
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { KeyPath, Position, Problems } from './errors.js';

/** A map entry: the key's own position and its value. */
export interface Entry {
  readonly keyPos: Position;
  value: ConfigNode;
}

/** A map, in insertion order. */
export interface MapNode {
  readonly kind: 'map';
  readonly pos: Position;
  readonly entries: Map<string, Entry>;
}

/** A list. */
export interface SeqNode {
  readonly kind: 'seq';
  readonly pos: Position;
  readonly items: ConfigNode[];
}

/** A scalar; `quoted` scalars are never re-typed by env expansion, `style` is the YAML scalar style. */
export interface ScalarNode {
  readonly kind: 'scalar';
  readonly pos: Position;
  value: unknown;
  readonly style: string;
}

/** Any node of the tree. */
export type ConfigNode = MapNode | SeqNode | ScalarNode;

/** An empty map written nowhere in particular (the root of an empty file, a map `--set` created). */
export function emptyMap(pos: Position): MapNode {
  return { kind: 'map', pos, entries: new Map() };
}

/** Converts a parsed YAML document to a tree; anchors and `<<` merge keys are resolved. */
export function fromDocument(doc: Document, file: string, lines: LineCounter, problems: Problems): ConfigNode {
  const at = (offset: number | undefined): Position => {
    const p = lines.linePos(offset ?? 0);
    return { file, line: p.line, column: p.col };
  };
  const inProgress = new Set<unknown>();

  const convert = (node: unknown, fallback: Position, path: KeyPath): ConfigNode => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target || inProgress.has(target)) {
        problems.error(at(node.range?.[0]), path, `alias *${node.source} refers to no usable anchor`);
        return { kind: 'scalar', pos: at(node.range?.[0]), value: null, style: 'PLAIN' };
      }
      inProgress.add(target);
      const out = convert(target, at(node.range?.[0]), path);
      inProgress.delete(target);
      return out;
    }
    if (node == null) return { kind: 'scalar', pos: fallback, value: null, style: 'PLAIN' };
    const pos = at((node as YamlNode).range?.[0]);
    if (isScalar(node)) return { kind: 'scalar', pos, value: node.value, style: node.type ?? 'PLAIN' };
    if (isSeq(node)) return { kind: 'seq', pos, items: node.items.map((item, i) => convert(item, pos, [...path, i])) };
    if (isMap(node)) {
      const map = emptyMap(pos);
      for (const pair of node.items) {
        const keyPos = isScalar(pair.key) || isAlias(pair.key) ? at((pair.key as YamlNode).range?.[0]) : pos;
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (key === undefined || (typeof key === 'object' && key !== null)) {
          problems.error(keyPos, path, 'map keys must be plain scalars');
          continue;
        }
        const name = String(key);
        const value = convert(pair.value, keyPos, [...path, name]);
        if (name === '<<' && (!isScalar(pair.key) || pair.key.type === 'PLAIN')) mergeKey(map, value, keyPos, path, problems);
        else map.entries.set(name, { keyPos, value });
      }
      return map;
    }
    problems.error(pos, path, 'unsupported YAML node');
    return { kind: 'scalar', pos, value: null, style: 'PLAIN' };
  };
  return convert(doc.contents, at(0), []);
}

/** YAML 1.1 merge key: entries of the merged map(s) fill in keys the map does not set itself. */
function mergeKey(map: MapNode, value: ConfigNode, keyPos: Position, path: KeyPath, problems: Problems): void {
  const sources = value.kind === 'seq' ? value.items : [value];
  for (const source of sources) {
    if (source.kind !== 'map') {
      problems.error(source.pos, [...path, '<<'], 'a merge key (<<) takes a map or a list of maps');
      continue;
    }
    for (const [k, e] of source.entries) if (!map.entries.has(k)) map.entries.set(k, { keyPos: e.keyPos ?? keyPos, value: e.value });
  }
}

/** The plain data of a tree: objects, arrays and scalars, as schemas expect them. */
export function toPlain(node: ConfigNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toPlain);
  return Object.fromEntries([...node.entries].map(([k, e]) => [k, toPlain(e.value)]));
}

/** What `locate` found: the node at the path, or the nearest existing ancestor and the key leading to the gap. */
export interface Located {
  /** The node at the path, when it exists. */
  readonly node?: ConfigNode;
  /** The position of the value at the path, or of the nearest ancestor that exists. */
  readonly pos: Position;
  /** The position of the key naming the value (the value's own position for list items). */
  readonly keyPos: Position;
}

/** Finds the node at `path`, falling back to the nearest ancestor for positions. */
export function locate(root: ConfigNode, path: readonly PropertyKey[]): Located {
  let node: ConfigNode = root;
  let keyPos = root.pos;
  for (const segment of path) {
    let next: ConfigNode | undefined;
    if (node.kind === 'map') {
      const entry = node.entries.get(String(segment));
      if (entry) {
        next = entry.value;
        keyPos = entry.keyPos;
      }
    } else if (node.kind === 'seq' && typeof segment === 'number') {
      next = node.items[segment];
      if (next) keyPos = next.pos;
    }
    if (!next) return { pos: node.pos, keyPos: node.pos };
    node = next;
  }
  return { node, pos: node.pos, keyPos };
}

/** The map node at `path`, or undefined when the path is missing or not a map. */
export function mapAt(root: ConfigNode, path: readonly string[]): MapNode | undefined {
  const found = locate(root, path).node;
  return found?.kind === 'map' ? found : undefined;
}
