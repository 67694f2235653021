/**
 * Where a series model's components keep their numbers. A typed array costs ~130 bytes of heap
 * beside its data, and an ArrayBuffer ~100 more: a model whose window, seasonal slots and
 * calibrations each had their own arrays paid ~1 KiB a series for them, ~0.5 KiB with one buffer of
 * its own. Here the models of a processor's series share slabs (an `Arena`): each model's numbers
 * are a block of them, seen through the slab's three views (doubles, singles, small integers).
 * Models are never freed one by one (a partition's models live and go together), so a slab needs
 * no free list.
 */

/** How many numbers a component takes: doubles, singles (optional), and small integers (indices below `wide`'s limit). */
export interface Needs { readonly f: number; readonly g?: number; readonly u: number }

/** The three views of a buffer. */
interface Views { readonly f: Float64Array; readonly g: Float32Array; readonly u: Uint16Array | Uint32Array }

/** A buffer for `count` blocks of `needs`, seen three ways. */
function views(needs: Needs, wide: boolean, count: number): Views {
  const f = count * needs.f;
  const g = count * (needs.g ?? 0);
  const u = count * needs.u;
  const buffer = new ArrayBuffer(8 * f + 4 * g + (wide ? 4 : 2) * u);
  return {
    f: new Float64Array(buffer, 0, f),
    g: new Float32Array(buffer, 8 * f, g),
    u: wide ? new Uint32Array(buffer, 8 * f + 4 * g, u) : new Uint16Array(buffer, 8 * f + 4 * g, u),
  };
}

/** A model's numbers: regions of `f` (doubles), `g` (singles) and `u` (integers), handed out one by one. */
export class Block {
  /** The doubles. */
  readonly f: Float64Array;
  /** The singles (float32): values whose rounding the detectors' scale floor absorbs (rolling-window.ts). */
  readonly g: Float32Array;
  /** The integers: 16-bit, or 32-bit when some component needs values above 0xffff. */
  readonly u: Uint16Array | Uint32Array;
  private fNext: number;
  private gNext: number;
  private uNext: number;
  private readonly fEnd: number;
  private readonly gEnd: number;
  private readonly uEnd: number;

  private constructor(v: Views, index: number, needs: Needs) {
    this.f = v.f;
    this.g = v.g;
    this.u = v.u;
    this.fNext = index * needs.f;
    this.gNext = index * (needs.g ?? 0);
    this.uNext = index * needs.u;
    this.fEnd = this.fNext + needs.f;
    this.gEnd = this.gNext + (needs.g ?? 0);
    this.uEnd = this.uNext + needs.u;
  }

  /** A block in a buffer of its own (tests, and components made outside a model). */
  static alone(needs: Needs, wide = false): Block {
    return new Block(views(needs, wide, 1), 0, needs);
  }

  /** Block `index` of a slab of blocks of `needs`. */
  static in(v: Views, index: number, needs: Needs): Block {
    return new Block(v, index, needs);
  }

  /** The start of the next `n` doubles. */
  takeF(n: number): number {
    const at = this.fNext;
    this.fNext += n;
    if (this.fNext > this.fEnd) throw new RangeError('block: more doubles taken than planned');
    return at;
  }

  /** The start of the next `n` singles. */
  takeG(n: number): number {
    const at = this.gNext;
    this.gNext += n;
    if (this.gNext > this.gEnd) throw new RangeError('block: more singles taken than planned');
    return at;
  }

  /** The start of the next `n` integers. */
  takeU(n: number): number {
    const at = this.uNext;
    this.uNext += n;
    if (this.uNext > this.uEnd) throw new RangeError('block: more integers taken than planned');
    return at;
  }
}

/** Slabs grow from this many blocks to `MOST` (a few series do not hold a big slab). */
const FIRST = 4;
const MOST = 256;

/** Blocks of one size for many models, carved out of shared slabs. */
export class Arena {
  private slab: Views | undefined;
  private used = 0;
  private capacity = 0;

  constructor(private readonly needs: Needs, private readonly wide: boolean) {}

  /** A new model's block. */
  block(): Block {
    if (!this.slab || this.used === this.capacity) {
      this.capacity = Math.min(MOST, Math.max(FIRST, 2 * this.capacity));
      this.slab = views(this.needs, this.wide, this.capacity);
      this.used = 0;
    }
    return Block.in(this.slab, this.used++, this.needs);
  }
}
