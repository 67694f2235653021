/**
 * string_attribute's regexes. otelcol compiles them with Go's RE2; vigil with JavaScript's RegExp,
 * which agrees on the common syntax. Go's leading inline flags (`(?i)`, `(?s)`, `(?m)`, as in
 * `(?i)^health`) have no JavaScript spelling before Node 23, so they become RegExp flags here.
 */

const LEADING_FLAGS = /^\(\?([ims]+)\)/;

/** A compiled pattern, or the reason it does not compile. */
export function compileRegex(pattern: string): { regex?: RegExp; error?: string } {
  const m = LEADING_FLAGS.exec(pattern);
  const flags = m ? [...new Set(m[1])].join('') : '';
  const source = m ? pattern.slice(m[0].length) : pattern;
  try {
    // 'u' so that classes and escapes read code points, as RE2 does.
    return { regex: new RegExp(source, `${flags}u`) };
  } catch {
    // RE2 allows escaping any punctuation (`\_`), which 'u' mode refuses: try again without it.
  }
  try {
    return { regex: new RegExp(source, flags) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
