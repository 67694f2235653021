/**
 * Alertmanager's label matchers: `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`,
 * as written in alertmanager.yml (`matchers`, `source_matchers`, `target_matchers`) and as the
 * silences API sends them (`{name, value, isRegex, isEqual}`). A label that is absent matches as the
 * empty string, and a regex must match the whole value, as in Alertmanager.
 */

/** The four matcher operators. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One parsed matcher; `re` is set for the regex operators. */
export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  readonly re?: RegExp;
}

/** An alert's labels, as matchers see them. */
export type Labels = Readonly<Record<string, string>>;

const MATCHER = /^\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/** Parses one matcher string; throws a MatcherError saying what is wrong. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m) throw new MatcherError(`expected a matcher like 'name="value"' (operators =, !=, =~, !~), got ${JSON.stringify(text)}`);
  const name = m[1]!.startsWith('"') ? unquote(m[1]!, text) : m[1]!;
  const raw = m[3]!;
  if (/^[=~!]/.test(raw)) throw new MatcherError(`unknown operator in ${JSON.stringify(text)}; use =, !=, =~ or !~`);
  // Alertmanager accepts an unquoted value too (`severity=critical`); quoted is the documented form.
  const value = raw.startsWith('"') ? unquote(raw, text) : raw;
  if (!raw.startsWith('"') && /[",{}]/.test(raw)) throw new MatcherError(`the value of ${JSON.stringify(text)} must be one value in double quotes`);
  return makeMatcher(name, m[2] as MatchOp, value);
}

/** A matcher from its parts (the silences API's form); throws a MatcherError on a bad regex. */
export function makeMatcher(name: string, op: MatchOp, value: string): Matcher {
  if (name === '') throw new MatcherError('a matcher needs a label name');
  if (op !== '=~' && op !== '!~') return { name, op, value };
  try {
    // Anchored on both ends: Alertmanager (like Prometheus) matches the whole label value.
    return { name, op, value, re: new RegExp(`^(?:${value})$`, 's') };
  } catch (err) {
    throw new MatcherError(`invalid regular expression ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
}

/** True when `labels` satisfy the matcher (an absent label is ""). */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return m.re!.test(v);
    case '!~': return !m.re!.test(v);
  }
}

/** True when `labels` satisfy every matcher (an empty list matches everything). */
export function matchAll(list: readonly Matcher[], labels: Labels): boolean {
  return list.every((m) => matches(m, labels));
}

/** The matcher written back in Alertmanager's string form. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

/** A matcher string or silence matcher that cannot be used. */
export class MatcherError extends Error {
  override readonly name = 'MatcherError';
}

function unquote(quoted: string, text: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new MatcherError(`bad quoting in ${JSON.stringify(text)}`);
  }
}
