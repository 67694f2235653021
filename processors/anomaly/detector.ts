/** What every streaming detector of the anomaly processor is. */
import type { Block } from './block.js';

/**
 * A per-series streaming detector: it scores a point from the past only, then learns it. One
 * detector serves every series model of a config; a series' state is a region of the model's block
 * (block.ts), which the detector took from the config's layout when it was made.
 */
export interface Detector {
  /** The `vigil.detector` name. */
  readonly name: string;
  /**
   * Scores `x` (at event time `tMs`) against what the block's region holds, then learns it. Returns
   * a surprise >= 0 (0 while the detector is still learning), and the value it expected, when it has one.
   */
  observe(block: Block, x: number, tMs: number): Surprise;
  /** The region's state as JSON-able data, for a checkpoint. */
  save(block: Block): unknown;
  /** Writes a checkpoint's state (from `save`, of this or an earlier version) into a fresh block's region. */
  load(block: Block, state: unknown): void;
}

/** A detector's verdict on one point. */
export interface Surprise {
  /** How unusual the point is: 0 normal; a robust z-score for the statistical detectors. */
  readonly value: number;
  /** What the detector expected, and its band (absent while learning). */
  readonly expected?: number;
  readonly lower?: number;
  readonly upper?: number;
}

/** The verdict while a detector is still learning. */
export const LEARNING: Surprise = { value: 0 };

/** A scale that is never 0: MAD of a flat window, widened by a tiny fraction of the level. */
export function safeScale(scale: number, level: number): number {
  const floor = 1e-3 * Math.abs(level) + 1e-9;
  return Number.isFinite(scale) && scale > floor ? scale : floor;
}
