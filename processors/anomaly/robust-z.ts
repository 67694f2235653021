/** The robust z-score detector: distance from the trailing median in units of the trailing MAD. */
import { LEARNING, safeScale, type Detector, type Surprise } from './detector.js';
import type { Block, Layout } from './block.js';
import { RollingWindow } from './rolling-window.js';

/** 1.4826 × MAD estimates σ for normal data. */
const MAD_TO_SIGMA = 1.4826;

/** Settings of the robust z-score detector. */
export interface RobustZOptions {
  /** Points in the trailing window. */
  readonly window: number;
  /** Points needed before it scores. */
  readonly minPoints: number;
}

/** Checkpointed state: the window's values, oldest first. */
export interface RobustZState { readonly values: number[] }

/** |x − median| / (1.4826 · MAD) over the last `window` points. */
export class RobustZ implements Detector {
  readonly name = 'robust_z';
  private readonly win: RollingWindow;

  /** Whether its window needs a wide layout (32-bit integers). */
  static wide(o: RobustZOptions): boolean {
    return RollingWindow.wide(o.window);
  }

  /** A detector whose window takes its region from `layout`. */
  constructor(private readonly o: RobustZOptions, layout: Layout) {
    this.win = new RollingWindow(o.window, layout);
  }

  observe(block: Block, x: number): Surprise {
    let out = LEARNING;
    if (this.win.count(block) >= this.o.minPoints) {
      const med = this.win.median(block);
      const scale = safeScale(MAD_TO_SIGMA * this.win.mad(block, med), med);
      out = { value: Math.abs(x - med) / scale, expected: med, lower: med - 3 * scale, upper: med + 3 * scale };
    }
    this.win.push(block, x);
    return out;
  }

  save(block: Block): RobustZState {
    return { values: this.win.oldestFirst(block) };
  }

  load(block: Block, state: RobustZState | undefined): void {
    for (const v of state?.values ?? []) this.win.push(block, v);
  }
}
