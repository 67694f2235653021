/**
 * Deep merge of config trees (`--config a.yaml --config b.yaml`) and `--set` overrides, as otelcol
 * does: maps merge key by key, anything else in a later source replaces what was there.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Position, Problems } from './errors.js';
import type { ConfigNode, MapNode } from './positions.js';
import { emptyMap, fromDocument } from './positions.js';

/** Where `--set` values say they come from. */
export const SET_FILE = '--set';
const SET_POS: Position = { file: SET_FILE, line: 1, column: 1 };

/** Merges `over` into `base` and returns the result; neither input is used afterwards. */
export function mergeNodes(base: ConfigNode, over: ConfigNode): ConfigNode {
  if (base.kind !== 'map' || over.kind !== 'map') return over;
  for (const [key, entry] of over.entries) {
    const old = base.entries.get(key);
    if (old) old.value = mergeNodes(old.value, entry.value);
    else base.entries.set(key, entry);
  }
  return base;
}

/** Splits a `--set` key path: `::` when present (keys may then contain dots), else `.`. */
export function splitSetPath(path: string): string[] {
  return path.includes('::') ? path.split('::') : path.split('.');
}

/**
 * Applies one `--set key.path=value` to `root`: the value is parsed as YAML (a scalar or a flow
 * list/map), missing maps on the way are created, and the value replaces or merges into what is there.
 */
export function applySet(root: ConfigNode, text: string, problems: Problems): ConfigNode {
  const eq = text.indexOf('=');
  const segments = eq > 0 ? splitSetPath(text.slice(0, eq)) : [];
  if (eq <= 0 || segments.some((s) => s === '')) {
    problems.error(SET_POS, '', `expected key.path=value, got ${JSON.stringify(text)}`);
    return root;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text.slice(eq + 1), { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = e.linePos?.[0];
    problems.error({ file: SET_FILE, line: at?.line ?? 1, column: at?.col ?? 1 }, segments, firstSentence(e.message));
    return root;
  }
  const value = fromDocument(doc, SET_FILE, lines, problems);
  // Build the override as a tree of single-key maps, then merge it like one more file.
  let override: ConfigNode = value;
  for (let i = segments.length - 1; i >= 0; i--) {
    const map: MapNode = emptyMap(SET_POS);
    map.entries.set(segments[i]!, { keyPos: SET_POS, value: override });
    override = map;
  }
  return mergeNodes(root, override);
}

/** The yaml parser's message without its " at line X, column Y:" suffix and source excerpt. */
export function firstSentence(message: string): string {
  const cut = message.search(/ at line \d+, column \d+/);
  return (cut >= 0 ? message.slice(0, cut) : message.split('\n')[0]!).trim();
}
