/**
 * Turns zod issues into ConfigErrors at the YAML position of the offending value: readable
 * messages ("expected a whole number, got \"abc\""), one error per unknown key with a suggestion,
 * "missing required key" at the parent map, and the closest alternative of a failed union.
 */
import type { z } from 'zod';
import type { KeyPath, Problems } from './errors.js';
import type { ConfigNode } from './positions.js';
import { locate } from './positions.js';
import { unknownKeyMessage } from './suggest.js';
import { describe } from './types.js';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'a map',
  record: 'a map', map: 'a map', array: 'a list', tuple: 'a list', null: 'null', bigint: 'a whole number',
};

/** The per-parse error map: readable messages for the issues zod words for programmers. */
export function readableMessage(iss: RawIssue): string | undefined {
  const got = describe(iss.input);
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}, got ${got}`;
    case 'invalid_value':
      return iss.values.length === 1
        ? `expected ${JSON.stringify(iss.values[0])}, got ${got}`
        : `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'too_big':
      return bound('most', iss.maximum, iss.inclusive, iss.origin);
    case 'too_small':
      return bound('least', iss.minimum, iss.inclusive, iss.origin);
    case 'invalid_union': {
      // A discriminated union whose tag matched nothing names the tags it knows.
      const options = (iss as { options?: unknown[] }).options;
      return options ? `expected one of ${options.map((v) => JSON.stringify(v)).join(', ')}, got ${got}` : undefined;
    }
    case 'invalid_format':
      return `expected ${iss.format === 'regex' ? 'a value in the documented format' : `a valid ${iss.format}`}, got ${got}`;
    default:
      return undefined;
  }
}

function bound(word: 'most' | 'least', limit: number | bigint, inclusive: boolean | undefined, origin: string): string {
  const n = Number(limit);
  if (origin === 'array' || origin === 'set') return n === 1 && word === 'least' ? 'must not be empty' : `must have at ${word} ${n} item${n === 1 ? '' : 's'}`;
  if (origin === 'string') return n === 1 && word === 'least' ? 'must not be empty' : `must be at ${word} ${n} character${n === 1 ? '' : 's'} long`;
  if (inclusive === false) return `must be ${word === 'most' ? 'less' : 'greater'} than ${n}`;
  return `must be at ${word} ${n}`;
}

/** Validates `data` (the plain form of the node at `prefix`) and reports every issue; returns the parsed value when valid. */
export function parseWith<T>(schema: z.ZodType<T>, data: unknown, root: ConfigNode, prefix: KeyPath, problems: Problems): T | undefined {
  const result = schema.safeParse(data, { error: readableMessage });
  if (result.success) return result.data;
  for (const issue of result.error.issues) report(issue, schema, data, root, prefix, problems);
  return undefined;
}

function report(issue: Issue, schema: z.ZodType, data: unknown, root: ConfigNode, prefix: KeyPath, problems: Problems): void {
  const path: KeyPath = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  if (issue.code === 'unrecognized_keys') {
    const valid = validKeys(schema, data, issue.path);
    for (const key of issue.keys) problems.error(locate(root, [...path, key]).keyPos, [...path, key], unknownKeyMessage(key, valid));
    return;
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the alternative that came closest: the one with the fewest complaints.
    const best = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
    for (const sub of best) report({ ...sub, path: [...issue.path, ...sub.path] }, schema, data, root, prefix, problems);
    return;
  }
  const found = locate(root, path);
  if (!found.node && path.length > 0) {
    // The value is not written: point at the key of the map that should hold it (`otlphttp:`).
    const parent = locate(root, path.slice(0, -1));
    const at = parent.node ? parent.keyPos : parent.pos;
    problems.error(at, path, issue.code === 'invalid_type' ? `missing required key "${String(path[path.length - 1])}"` : issue.message);
    return;
  }
  problems.error(found.pos, path, issue.message);
}

// ---- Walking a schema along a key path, to list the keys a strict object accepts ----
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- zod's `_zod.def` is internal and untyped; each field is read after checking `type` */

interface Def {
  type: string;
  [k: string]: any;
}
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object/array/record schemas that `schema` checks `data` with, seen through wrappers and unions. */
function structural(schema: unknown, data: unknown, depth = 0): unknown[] {
  if (depth > 32) return [];
  const d = defOf(schema);
  switch (d.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'catch': case 'readonly': case 'nonoptional':
      return structural(d.innerType, data, depth + 1);
    case 'pipe': {
      const first = structural(d.in, data, depth + 1);
      return first.length > 0 ? first : structural(d.out, data, depth + 1);
    }
    case 'lazy':
      return structural(d.getter(), data, depth + 1);
    case 'intersection':
      return [...structural(d.left, data, depth + 1), ...structural(d.right, data, depth + 1)];
    case 'union': {
      let options: unknown[] = d.options;
      const tag = d.discriminator as string | undefined;
      if (tag && isRecord(data)) {
        const chosen = options.filter((o) => defOf(o).type === 'object' && (defOf(defOf(o).shape[tag])?.values ?? []).includes(data[tag]));
        if (chosen.length > 0) options = chosen;
      }
      return options.flatMap((o) => structural(o, data, depth + 1));
    }
    case 'object': case 'array': case 'record':
      return [schema];
    default:
      return [];
  }
}

/** Keys accepted by the object schema(s) found at `path` inside `schema`. */
export function validKeys(schema: unknown, data: unknown, path: readonly PropertyKey[]): string[] {
  let level: Array<{ schema: unknown; data: unknown }> = [{ schema, data }];
  for (const segment of path) {
    const next: Array<{ schema: unknown; data: unknown }> = [];
    for (const { schema: s, data: v } of level) {
      const child = isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[segment] : undefined;
      for (const st of structural(s, v)) {
        const d = defOf(st);
        const sub = d.type === 'object' ? d.shape[String(segment)] : d.type === 'array' ? d.element : d.valueType;
        if (sub) next.push({ schema: sub, data: child });
      }
    }
    level = next;
  }
  const keys = new Set<string>();
  for (const { schema: s, data: v } of level) {
    for (const st of structural(s, v)) if (defOf(st).type === 'object') for (const k of Object.keys(defOf(st).shape)) keys.add(k);
  }
  return [...keys];
}
