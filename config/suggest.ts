/** "Did you mean" for misspelt keys and type names, by edit distance. */

/** Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  // Short words need a tighter bound, or every three-letter key "suggests" every other one.
  const limit = Math.min(3, Math.max(1, Math.floor(Math.max(word.length, best.length) / 4)));
  return bestDistance <= limit ? best : undefined;
}

/** `unknown key "x"; did you mean "y"?`, or the list of valid keys when none is close. */
export function unknownKeyMessage(key: string, valid: readonly string[]): string {
  const near = closest(key, valid);
  if (near !== undefined) return `unknown key "${key}"; did you mean "${near}"?`;
  if (valid.length === 0) return `unknown key "${key}"; nothing is allowed here`;
  return `unknown key "${key}"; valid keys: ${[...valid].sort().join(', ')}`;
}
