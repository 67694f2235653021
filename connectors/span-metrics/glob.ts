/**
 * Dimension globs as otelcol compiles them (gobwas/glob with '.' as the separator): `*` matches
 * within one dotted segment, `**` across segments, `?` one character of a segment, `[abc]`,
 * `[!abc]`, `[a-z]` one character, `{a,b}` either alternative, `\` escapes.
 */

const SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/** The glob as an anchored regular expression; undefined when it is malformed (unclosed `[` or `{`). */
export function compileGlob(glob: string): RegExp | undefined {
  const body = translate(glob, 0, false);
  if (body === undefined || body.end !== glob.length) return undefined;
  return new RegExp(`^(?:${body.source})$`, 'u');
}

interface Part { source: string; end: number }

/** Translates from `i` until the end, or (inside braces) until an unnested `,` or `}`. */
function translate(g: string, start: number, inBraces: boolean): Part | undefined {
  let out = '';
  let i = start;
  while (i < g.length) {
    const c = g[i]!;
    if (inBraces && (c === ',' || c === '}')) return { source: out, end: i };
    if (c === '\\') {
      if (i + 1 >= g.length) return undefined;
      out += escape(g[i + 1]!);
      i += 2;
    } else if (c === '*') {
      if (g[i + 1] === '*') { out += '.*'; i += 2; } else { out += '[^.]*'; i++; }
    } else if (c === '?') {
      out += '[^.]'; i++;
    } else if (c === '[') {
      const close = g.indexOf(']', i + 2);
      if (close < 0) return undefined;
      let cls = g.slice(i + 1, close);
      const negate = cls.startsWith('!');
      if (negate) cls = cls.slice(1);
      out += `[${negate ? '^' : ''}${cls.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = close + 1;
    } else if (c === '{') {
      const alts: string[] = [];
      let j = i + 1;
      for (;;) {
        const part = translate(g, j, true);
        if (part === undefined || part.end >= g.length) return undefined;
        alts.push(part.source);
        j = part.end + 1;
        if (g[part.end] === '}') break;
      }
      out += `(?:${alts.join('|')})`;
      i = j;
    } else {
      out += escape(c); i++;
    }
  }
  return inBraces ? undefined : { source: out, end: i };
}

function escape(c: string): string {
  return c.replace(SPECIAL, '\\$&');
}
