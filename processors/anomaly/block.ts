/**
 * Where a series model keeps its numbers. A typed array costs ~130 bytes of heap beside its data,
 * an ArrayBuffer ~100 more, and a JS object per component ~50–100: a model whose window, seasonal
 * slots and calibrations each had their own objects paid more for them than for half its window.
 * Here the models made with one config share slabs (an `Arena`): each model's numbers are a block
 * of them, seen through the slab's four views (doubles, singles, small integers, bytes), and the
 * components (detectors, calibrations) are shared by every model of the config: a `Layout` says
 * where, relative to a block's start, each component keeps its numbers. Models are never freed one
 * by one (a partition's models live and go together), so a slab needs no free list.
 */

/** How many numbers a block holds: doubles, singles, small integers and bytes. */
export interface Needs { readonly f: number; readonly g: number; readonly u: number; readonly b: number }

/** The four views of a slab. */
interface Views { readonly f: Float64Array; readonly g: Float32Array; readonly u: Uint16Array | Uint32Array; readonly b: Uint8Array }

/** A buffer for `count` blocks of `needs`, seen four ways (doubles first, so each view is aligned). */
function views(needs: Needs, wide: boolean, count: number): Views {
  const f = count * needs.f;
  const g = count * needs.g;
  const u = count * needs.u;
  const b = count * needs.b;
  const uBytes = wide ? 4 : 2;
  const buffer = new ArrayBuffer(8 * f + 4 * g + uBytes * u + b);
  return {
    f: new Float64Array(buffer, 0, f),
    g: new Float32Array(buffer, 8 * f, g),
    u: wide ? new Uint32Array(buffer, 8 * f + 4 * g, u) : new Uint16Array(buffer, 8 * f + 4 * g, u),
    b: new Uint8Array(buffer, 8 * f + 4 * g + uBytes * u, b),
  };
}

/**
 * Where each component of a config's models keeps its numbers: regions handed out one by one,
 * relative to a block's starts. Made once per config, before any block.
 */
export class Layout {
  private nf = 0;
  private ng = 0;
  private nu = 0;
  private nb = 0;

  /** `wide`: the small integers are 32-bit, for components whose integers pass 0xffff. */
  constructor(readonly wide = false) {}

  /** The start of the next `n` doubles. */
  takeF(n: number): number {
    const at = this.nf;
    this.nf += n;
    return at;
  }

  /** The start of the next `n` singles (float32: values whose rounding the detectors' scale floor absorbs). */
  takeG(n: number): number {
    const at = this.ng;
    this.ng += n;
    return at;
  }

  /** The start of the next `n` small integers (16-bit, or 32-bit when `wide`). */
  takeU(n: number): number {
    const at = this.nu;
    this.nu += n;
    return at;
  }

  /** The start of the next `n` bytes. */
  takeB(n: number): number {
    const at = this.nb;
    this.nb += n;
    return at;
  }

  /** What a block of this layout holds. */
  get needs(): Needs {
    return { f: this.nf, g: this.ng, u: this.nu, b: this.nb };
  }
}

/** A model's numbers: the slab's views and where the model's block starts in each. */
export class Block {
  /** The slab's doubles; the block's start at `fAt`. */
  readonly f: Float64Array;
  /** The singles (float32). */
  readonly g: Float32Array;
  /** The small integers: 16-bit, or 32-bit when the layout is wide. */
  readonly u: Uint16Array | Uint32Array;
  /** The bytes. */
  readonly b: Uint8Array;
  readonly fAt: number;
  readonly gAt: number;
  readonly uAt: number;
  readonly bAt: number;

  private constructor(v: Views, index: number, needs: Needs) {
    this.f = v.f;
    this.g = v.g;
    this.u = v.u;
    this.b = v.b;
    this.fAt = index * needs.f;
    this.gAt = index * needs.g;
    this.uAt = index * needs.u;
    this.bAt = index * needs.b;
  }

  /** A block of `layout` in a buffer of its own (tests, and components used outside a model). */
  static alone(layout: Layout): Block {
    return new Block(views(layout.needs, layout.wide, 1), 0, layout.needs);
  }

  /** Block `index` of a slab of blocks of `needs`. */
  static in(v: Views, index: number, needs: Needs): Block {
    return new Block(v, index, needs);
  }
}

/** Slabs grow from this many blocks to `MOST` (a few series do not hold a big slab). */
const FIRST = 4;
const MOST = 256;

/** Blocks of one layout for many models, carved out of shared slabs. */
export class Arena {
  private readonly needs: Needs;
  private slab: Views | undefined;
  private used = 0;
  private capacity = 0;

  constructor(private readonly layout: Layout) {
    this.needs = layout.needs;
  }

  /** A new model's block (zeroed). */
  block(): Block {
    if (!this.slab || this.used === this.capacity) {
      this.capacity = Math.min(MOST, Math.max(FIRST, 2 * this.capacity));
      this.slab = views(this.needs, this.layout.wide, this.capacity);
      this.used = 0;
    }
    return Block.in(this.slab, this.used++, this.needs);
  }
}
