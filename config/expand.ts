/**
 * `${env:VAR}` / `${env:VAR:-default}` expansion in string values, and `$$` for a literal `$`,
 * as otelcol's env provider does. A value that is exactly one reference takes the type its text
 * reads as in YAML (`${env:PORT}` can be a number); anything else stays a string.
 */
import { isScalar, parseDocument } from 'yaml';
import type { KeyPath, Position, Problems } from './errors.js';
import type { ConfigNode, ScalarNode } from './positions.js';

/** The environment expansion reads. */
export type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands every string scalar of the tree in place; mistakes go to `problems`. */
export function expandTree(node: ConfigNode, env: Env, problems: Problems, path: KeyPath = []): void {
  if (node.kind === 'map') for (const [k, e] of node.entries) expandTree(e.value, env, problems, [...path, k]);
  else if (node.kind === 'seq') node.items.forEach((item, i) => expandTree(item, env, problems, [...path, i]));
  else if (typeof node.value === 'string' && node.value.includes('$')) expandScalar(node, env, problems, path);
}

function expandScalar(node: ScalarNode, env: Env, problems: Problems, path: KeyPath): void {
  const text = node.value as string;
  // Columns inside a plain one-line scalar are exact; elsewhere point at the scalar itself.
  const exact = node.style === 'PLAIN' && !text.includes('\n');
  const at = (offset: number): Position => (exact ? { ...node.pos, column: node.pos.column + offset } : node.pos);
  const out = expandText(text, 0, env, (offset, message, warning) => {
    if (warning) problems.warn(at(offset), path, message);
    else problems.error(at(offset), path, message);
  });
  if (out === undefined) return;
  node.value = out.whole && node.style === 'PLAIN' ? retype(out.text) : out.text;
}

type Report = (offset: number, message: string, warning?: boolean) => void;

/** Expands `text`; `whole` is true when it was exactly one reference. Undefined after an error. */
function expandText(text: string, base: number, env: Env, report: Report): { text: string; whole: boolean } | undefined {
  let out = '';
  let failed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '$' || i + 1 >= text.length) {
      out += c;
    } else if (text[i + 1] === '$') {
      out += '$';
      i++;
    } else if (text[i + 1] === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) {
        report(base + i, `unterminated reference "${text.slice(i)}": expected "}"`);
        return undefined;
      }
      const value = resolve(text.slice(i + 2, end), base + i, env, report);
      if (value === undefined) failed = true;
      else out += value;
      if (i === 0 && end === text.length - 1) return failed ? undefined : { text: out, whole: true };
      i = end;
    } else {
      out += c;
    }
  }
  return failed ? undefined : { text: out, whole: false };
}

/** Index of the `}` closing a reference whose body starts at `from`, allowing nested `${…}`. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) {
      return i;
    }
  }
  return -1;
}

/** The value of one reference body (`env:NAME`, `env:NAME:-default`, or bare `NAME`). */
function resolve(body: string, offset: number, env: Env, report: Report): string | undefined {
  // `${NAME:-x}` is a bare env reference with a default, not a source called NAME.
  const first = body.indexOf(':');
  const colon = first >= 0 && body[first + 1] === '-' ? -1 : first;
  const scheme = colon < 0 ? 'env' : body.slice(0, colon);
  const spec = colon < 0 ? body : body.slice(colon + 1);
  if (scheme !== 'env') {
    report(offset, `unsupported config source "${scheme}" in "\${${body}}"; only \${env:NAME} is supported`);
    return undefined;
  }
  const dash = spec.indexOf(':-');
  const name = dash < 0 ? spec : spec.slice(0, dash);
  if (!NAME.test(name)) {
    const what = name === '' ? 'an empty environment variable name' : `invalid environment variable name "${name}"`;
    report(offset, `${what} in "\${${body}}"`);
    return undefined;
  }
  const value = env[name];
  if (dash >= 0) {
    // Shell semantics of ":-": the default also replaces an empty value. The default may itself hold references.
    if (value !== undefined && value !== '') return value;
    return expandText(spec.slice(dash + 2), offset + 2 + (colon < 0 ? 0 : colon + 1) + dash + 2, env, report)?.text;
  }
  if (value === undefined) report(offset, `environment variable "${name}" is not set; using an empty value`, true);
  return value ?? '';
}

/** Reads expanded text as a YAML scalar would be read: numbers and booleans get their type, the rest stays text. */
function retype(text: string): unknown {
  if (text.trim() === '') return text;
  const doc = parseDocument(text);
  const c = doc.contents;
  if (doc.errors.length > 0 || !isScalar(c) || c.type !== 'PLAIN' || c.comment || doc.comment) return text;
  const v = c.value;
  return typeof v === 'number' || typeof v === 'boolean' || v === null ? v : text;
}
