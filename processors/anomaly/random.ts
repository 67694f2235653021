/** A small seeded PRNG (mulberry32), so that every isolation forest is reproducible from its seed. */

/** Returns the next 32-bit state and a float in [0, 1) drawn from `state`. */
export function nextRandom(state: number): [next: number, value: number] {
  const s = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return [s, ((t ^ (t >>> 14)) >>> 0) / 4294967296];
}

/** A seeded random source; its whole state is one 32-bit number (`state`), so it checkpoints. */
export class Random {
  constructor(public state: number) {}

  /** A float in [0, 1): nextRandom's draw, inlined (no tuple per draw: a forest build makes thousands). */
  next(): number {
    const s = (this.state + 0x6d2b79f5) | 0;
    this.state = s;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** A 32-bit seed from a string (FNV-1a), to give every series its own, stable, forest seed. */
export function seedOf(text: string, base: number): number {
  let h = (0x811c9dc5 ^ base) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
