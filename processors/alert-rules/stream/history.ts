/**
 * The sample history a partition's next owner needs, kept in the stage log itself: the processor
 * holds every record (delivery.hold) until its samples are older than any rule can still read, so
 * after a rebalance or a `kill -9` the next owner reads them again and evaluates with the same
 * history (the checkpointed alert state says where evaluation resumes). Without it, the first
 * evaluations after a hand-over saw no samples and resolved every firing alert, only to fire it
 * again with a new start: a re-page.
 */
import type { Hold } from '../../../pipeline/delivery.js';
import { DEFAULT_LOOKBACK_MS } from '../promql/selectors.js';
import type { Expr } from '../promql/index.js';
import type { GroupSpec } from '../rules/rule-file.js';

/** How far back from the evaluation time `expr` reads (ranges plus offsets), without the lookback. */
function reach(expr: Expr): number {
  switch (expr.type) {
    case 'number': case 'string': return 0;
    case 'selector': return expr.offsetMs;
    case 'matrix': return expr.rangeMs + expr.selector.offsetMs;
    case 'call': return Math.max(0, ...expr.args.map(reach));
    case 'aggregate': return Math.max(reach(expr.expr), expr.param ? reach(expr.param) : 0);
    case 'binary': return Math.max(reach(expr.lhs), reach(expr.rhs));
    case 'unary': return reach(expr.expr);
  }
}

/** The history (ms before an evaluation) the rules of `groups` read: the longest range or offset plus the 5m lookback, at most `retentionMs`. */
export function historyNeededMs(groups: readonly GroupSpec[], retentionMs: number): number {
  const longest = Math.max(0, ...groups.flatMap((g) => g.rules.map((r) => reach(r.expr))));
  return Math.min(retentionMs, longest + DEFAULT_LOOKBACK_MS);
}

/**
 * Records held at most per partition: well below the 65,536 uncommitted records at which the Kafka
 * consumer pauses a partition (a pause would stop the data that moves the watermark on).
 */
export const MAX_HELD_RECORDS = 10_000;

/** Holds on delivered records, oldest first, each with the newest sample time it carried. */
export class HeldHistory {
  private readonly held: Array<{ newestMs: number; hold: Hold }> = [];
  /** Records released early because more than `max` were held: their history is lost to a hand-over. */
  overflowed = 0;

  constructor(private readonly max = MAX_HELD_RECORDS) {}

  /** Keeps a record until `releaseBefore` passes its newest sample (or `max` newer records are held). */
  add(newestMs: number, hold: Hold): void {
    this.held.push({ newestMs, hold });
    while (this.held.length > this.max) {
      this.held.shift()!.hold.release();
      this.overflowed++;
    }
  }

  /**
   * Releases the records, in delivery order, whose samples are all older than `t`; stops at the
   * first newer one, so the log's commit point never passes a record still needed.
   */
  releaseBefore(t: number): void {
    while (this.held.length > 0 && this.held[0]!.newestMs < t) this.held.shift()!.hold.release();
  }

  /** Releases every record. */
  releaseAll(): void {
    this.releaseBefore(Infinity);
  }

  /** Records held. */
  get size(): number {
    return this.held.length;
  }
}
