/** File globs as Go's filepath.Glob reads them (`*`, `?`, `[...]` within one path segment; no `**`). */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) return /(?!)/;
      re += `[${segment.slice(i + 1, end).replace(/^\^/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The existing paths matching `pattern`, sorted; a path without wildcards is returned if it exists. */
export function glob(pattern: string): string[] {
  const parts = pattern.split(sep);
  let paths = [isAbsolute(pattern) ? sep : '.'];
  parts.forEach((part, i) => {
    if (part === '' && i === 0) return;
    const next: string[] = [];
    for (const dir of paths) {
      if (!/[*?[]/.test(part)) {
        const p = join(dir, part);
        if (exists(p)) next.push(p);
        continue;
      }
      const re = segmentRegex(part);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue; // not a directory: nothing matches under it
      }
      for (const name of names.sort()) if (re.test(name)) next.push(join(dir, name));
    }
    paths = next;
  });
  return paths.sort();
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
