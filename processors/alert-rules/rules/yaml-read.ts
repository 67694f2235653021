/** Reading YAML files into vigil's positioned config tree, with small typed accessors that report problems. */
import { LineCounter, parseDocument } from 'yaml';
import type { KeyPath, Position, Problems } from '../../../config/errors.js';
import type { ConfigNode, MapNode } from '../../../config/positions.js';
import { fromDocument } from '../../../config/positions.js';
import { parseDuration } from '../promql/index.js';

/** Parses `text` (the contents of `file`) into a tree; YAML syntax errors go to `problems`. */
export function readYaml(text: string, file: string, problems: Problems): ConfigNode {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  for (const e of doc.errors) {
    const p = lines.linePos(e.pos[0]);
    problems.error({ file, line: p.line, column: p.col }, '', e.message.split('\n')[0] ?? e.message);
  }
  return fromDocument(doc, file, lines, problems);
}

/** Reads the keys of a map node, refusing unknown ones (as Prometheus' strict YAML decoding does). */
export class MapReader {
  constructor(
    readonly node: MapNode,
    readonly path: KeyPath,
    private readonly problems: Problems,
    allowed: readonly string[],
  ) {
    for (const [key, entry] of node.entries) {
      if (!allowed.includes(key)) problems.error(entry.keyPos, [...path, key], `field ${key} not found (valid: ${allowed.join(', ')})`);
    }
  }

  /** Position of a key, or of the map when the key is absent. */
  pos(key: string): Position {
    return this.node.entries.get(key)?.keyPos ?? this.node.pos;
  }

  /** The raw node of a key. */
  get(key: string): ConfigNode | undefined {
    return this.node.entries.get(key)?.value;
  }

  /** A string value (numbers and booleans are read as YAML would print them). */
  string(key: string): string | undefined {
    const n = this.get(key);
    if (n === undefined || (n.kind === 'scalar' && n.value === null)) return undefined;
    if (n.kind !== 'scalar' || typeof n.value === 'object') {
      this.problems.error(n.pos, [...this.path, key], 'expected a string');
      return undefined;
    }
    return String(n.value);
  }

  /** A duration like `5m`, in milliseconds. */
  duration(key: string): number | undefined {
    const s = this.string(key);
    if (s === undefined) return undefined;
    const ms = parseDuration(s);
    if (ms === undefined) this.problems.error(this.get(key)?.pos ?? this.node.pos, [...this.path, key], `expected a duration like "5m", got ${JSON.stringify(s)}`);
    return ms;
  }

  /** A map of strings (labels, annotations). */
  stringMap(key: string): Map<string, { value: string; pos: Position }> {
    const out = new Map<string, { value: string; pos: Position }>();
    const n = this.get(key);
    if (n === undefined || (n.kind === 'scalar' && n.value === null)) return out;
    if (n.kind !== 'map') {
      this.problems.error(n.pos, [...this.path, key], 'expected a map of strings');
      return out;
    }
    for (const [k, e] of n.entries) {
      if (e.value.kind !== 'scalar' || typeof e.value.value === 'object') {
        this.problems.error(e.value.pos, [...this.path, key, k], 'expected a string');
        continue;
      }
      out.set(k, { value: String(e.value.value), pos: e.value.pos });
    }
    return out;
  }

  /** A list node's items. */
  list(key: string): ConfigNode[] {
    const n = this.get(key);
    if (n === undefined || (n.kind === 'scalar' && n.value === null)) return [];
    if (n.kind !== 'seq') {
      this.problems.error(n.pos, [...this.path, key], 'expected a list');
      return [];
    }
    return n.items;
  }
}

/** A MapReader for `node`, or undefined (with a problem) when it is not a map. */
export function mapReader(node: ConfigNode, path: KeyPath, problems: Problems, allowed: readonly string[]): MapReader | undefined {
  if (node.kind !== 'map') {
    problems.error(node.pos, path, 'expected a map');
    return undefined;
  }
  return new MapReader(node, path, problems, allowed);
}
