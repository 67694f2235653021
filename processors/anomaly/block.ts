/**
 * One buffer for the numbers of a series model's components. A typed array costs ~130 bytes of
 * heap beside its data, and an ArrayBuffer ~100 more: a model whose window, seasonal slots and
 * calibrations each had their own arrays paid ~1 KiB a series for them. Here every component takes
 * a region of one buffer, seen through three views (doubles, singles, and small integers).
 */

/** How many numbers a component takes: doubles, singles (optional), and small integers (indices below `wide`'s limit). */
export interface Needs { readonly f: number; readonly g?: number; readonly u: number }

/** A model's numbers: `f` the doubles, `g` the singles, `u` the integers, each handed out region by region. */
export class Block {
  /** The doubles. */
  readonly f: Float64Array;
  /** The singles (float32): values kept only to be ranked against (the rolling window's). */
  readonly g: Float32Array;
  /** The integers: 16-bit, or 32-bit when some component needs indices above 0xffff. */
  readonly u: Uint16Array | Uint32Array;
  private fNext = 0;
  private gNext = 0;
  private uNext = 0;

  constructor(needs: Needs, wide = false) {
    const fBytes = 8 * needs.f;
    const g = needs.g ?? 0;
    const gBytes = 4 * g;
    const buffer = new ArrayBuffer(fBytes + gBytes + (wide ? 4 : 2) * needs.u);
    this.f = new Float64Array(buffer, 0, needs.f);
    this.g = new Float32Array(buffer, fBytes, g);
    this.u = wide ? new Uint32Array(buffer, fBytes + gBytes, needs.u) : new Uint16Array(buffer, fBytes + gBytes, needs.u);
  }

  /** The start of the next `n` doubles. */
  takeF(n: number): number {
    const at = this.fNext;
    this.fNext += n;
    if (this.fNext > this.f.length) throw new RangeError('block: more doubles taken than planned');
    return at;
  }

  /** The start of the next `n` singles. */
  takeG(n: number): number {
    const at = this.gNext;
    this.gNext += n;
    if (this.gNext > this.g.length) throw new RangeError('block: more singles taken than planned');
    return at;
  }

  /** The start of the next `n` integers. */
  takeU(n: number): number {
    const at = this.uNext;
    this.uNext += n;
    if (this.uNext > this.u.length) throw new RangeError('block: more integers taken than planned');
    return at;
  }
}
