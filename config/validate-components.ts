/**
 * The component sections (`receivers`, `processors`, …): each id is `type[/name]`, its type must
 * name a factory of that kind (or one of its aliases), and its config is checked by the factory's
 * schema with defaults filled in. A component given no config (`debug:`) is checked as an empty map,
 * so its defaults and its required keys apply exactly as for any other body: what validates here
 * is what the factory will be given.
 */
import type { ComponentId, Factory, Kind } from '../pipeline/component.js';
import { parseComponentId } from '../pipeline/component.js';
import type { Position, Problems } from './errors.js';
import type { ConfigNode, MapNode } from './positions.js';
import { toPlain } from './positions.js';
import { parseWith } from './zod-issues.js';

/** A component section and the kind of factory its entries name. */
export const COMPONENT_SECTIONS = [
  ['extensions', 'extension'],
  ['receivers', 'receiver'],
  ['processors', 'processor'],
  ['connectors', 'connector'],
  ['exporters', 'exporter'],
] as const satisfies ReadonlyArray<readonly [string, Kind]>;

/** One of the component section names. */
export type Section = (typeof COMPONENT_SECTIONS)[number][0];

/** A configured component: known even when its type or config is wrong, so pipelines do not call it "not configured". */
export interface Declared {
  readonly id: ComponentId;
  readonly keyPos: Position;
  /** Undefined when the type names no factory of this kind. */
  readonly factory?: Factory;
  /** The parsed config, when it is valid. */
  readonly config?: unknown;
  readonly valid: boolean;
}

const TYPE = /^[A-Za-z][A-Za-z0-9_]*$/;
const NAME = /^[^\s/]+$/;

/** Checks one section of `root` and returns what it declares, in file order. */
export function validateSection(root: MapNode, section: Section, kind: Kind, factories: readonly Factory[], problems: Problems): Map<string, Declared> {
  const out = new Map<string, Declared>();
  const entry = root.entries.get(section);
  if (!entry || (entry.value.kind === 'scalar' && entry.value.value === null)) return out;
  if (entry.value.kind !== 'map') {
    problems.error(entry.value.pos, [section], `expected a map of ${kind} ids to their settings, got ${entry.value.kind === 'seq' ? 'a list' : JSON.stringify(entry.value.value)}`);
    return out;
  }
  const ofKind = factories.filter((f) => f.kind === kind);
  for (const [key, { keyPos, value }] of entry.value.entries) {
    const id = parseComponentId(key);
    if (!TYPE.test(id.type) || (key.includes('/') && !NAME.test(id.name))) {
      problems.error(keyPos, [section, key], `invalid ${kind} id "${key}": expected type or type/name, where type is a letter followed by letters, digits or "_" and name has no "/" or spaces`);
      out.set(key, { id, keyPos, valid: false });
      continue;
    }
    const factory = ofKind.find((f) => f.type === id.type || (f.aliases ?? []).includes(id.type));
    if (!factory) {
      const valid = [...new Set(ofKind.flatMap((f) => [f.type, ...(f.aliases ?? [])]))].sort();
      problems.error(keyPos, [section, key], `unknown ${kind} type "${id.type}"; valid types: ${valid.length > 0 ? valid.join(', ') : '(none)'}`);
      out.set(key, { id, keyPos, valid: false });
      continue;
    }
    const config = componentConfig(factory, value, root, [section, key], problems);
    out.set(key, { id, keyPos, factory, config: config?.value, valid: config !== undefined });
  }
  return out;
}

/** The component's parsed config; no config at all (`null`) is an empty map, validated like any other. */
function componentConfig(factory: Factory, value: ConfigNode, root: MapNode, path: string[], problems: Problems): { value: unknown } | undefined {
  const plain = value.kind === 'scalar' && value.value === null ? {} : toPlain(value);
  const before = problems.errors.length;
  const parsed: unknown = parseWith(factory.configSchema, plain, root, path, problems);
  return problems.errors.length === before ? { value: parsed } : undefined;
}
