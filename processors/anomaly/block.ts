/**
 * One buffer for the numbers of a series model's components. A typed array costs ~130 bytes of
 * heap beside its data, and an ArrayBuffer ~100 more: a model whose window, seasonal slots and
 * calibrations each had their own arrays paid ~1 KiB a series for them. Here every component takes
 * a region of one buffer, seen through two views (doubles, and small integers).
 */

/** How many numbers a component takes: doubles, and small integers (indices below `wide`'s limit). */
export interface Needs { readonly f: number; readonly u: number }

/** A model's numbers: `f` the doubles, `u` the integers, each handed out region by region. */
export class Block {
  /** The doubles. */
  readonly f: Float64Array;
  /** The integers: 16-bit, or 32-bit when some component needs indices above 0xffff. */
  readonly u: Uint16Array | Uint32Array;
  private fNext = 0;
  private uNext = 0;

  constructor(needs: Needs, wide = false) {
    const fBytes = 8 * needs.f;
    const buffer = new ArrayBuffer(fBytes + (wide ? 4 : 2) * needs.u);
    this.f = new Float64Array(buffer, 0, needs.f);
    this.u = wide ? new Uint32Array(buffer, fBytes, needs.u) : new Uint16Array(buffer, fBytes, needs.u);
  }

  /** The start of the next `n` doubles. */
  takeF(n: number): number {
    const at = this.fNext;
    this.fNext += n;
    if (this.fNext > this.f.length) throw new RangeError('block: more doubles taken than planned');
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
