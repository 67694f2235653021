/**
 * What a stage log tells the pipeline about each record it delivers, and how a processor keeps a
 * record from being forgotten after its `consume` resolved (pipeline/README.md, "Holding data").
 *
 * A record is acknowledged — its bytes freed (memory) or its offset committable (Kafka) — once the
 * pipeline's `consume` resolved AND every hold taken on it was released. `consume` resolving frees
 * the record's place in the partition's in-flight window, so a processor that holds data for
 * seconds or minutes (tail sampling's `decision_wait`) does not stall the log, while the commit
 * point still never passes data that is neither exported nor checkpointed.
 */

/** Keeps one record unacknowledged until released. Releasing twice is harmless. */
export interface Hold {
  release(): void;
}

/** The origin of a delivered record. Processors pass it down the chain unchanged. */
export interface Delivery {
  /** The stage log the record came from (`<pipeline>.ingest`); a connector fed by several pipelines tells them apart by it. */
  readonly log: string;
  /** The stage-log partition the record came from. */
  readonly partition: number;
  /**
   * The record's position in its partition, increasing: the Kafka offset, or a sequence number of
   * the memory log (restarting at 0 with the process). Lets state count each record once.
   */
  readonly offset: bigint;
  /**
   * True when `offset` names the same record after a restart (Kafka): state checkpointed with an
   * offset may then skip records at or below it. False for the memory log, whose offsets restart.
   */
  readonly durable: boolean;
  /**
   * Keeps the record unacknowledged after `consume` resolved, until the hold is released. MUST be
   * called before `consume` settles. If `consume` rejects, the holds of that attempt are void
   * (the record is delivered again, or dropped, as the rejection says).
   */
  hold(): Hold;
}

/**
 * The acknowledgement of one delivery attempt: done once the handler settled and every hold was
 * released. Stage logs create one per attempt and learn through `onDone` when the record is done.
 */
export class Acknowledgement {
  private holds = 0;
  private settled = false;
  private over = false;

  constructor(private readonly onDone: () => void) {}

  /** True while any hold of this attempt is unreleased. */
  get held(): boolean {
    return this.holds > 0;
  }

  /** A new hold; see Delivery.hold. */
  hold(): Hold {
    if (this.over) throw new Error('bug: a hold was taken on a record after it was acknowledged or abandoned');
    this.holds++;
    let released = false;
    return {
      release: () => {
        if (released || this.over) return;
        released = true;
        this.holds--;
        this.check();
      },
    };
  }

  /** The handler resolved: done now, or when the last hold is released. */
  settle(): void {
    this.settled = true;
    this.check();
  }

  /** The handler rejected, or the partition was revoked: the holds no longer count; `onDone` never runs. */
  abandon(): void {
    this.over = true;
  }

  private check(): void {
    if (this.over || !this.settled || this.holds > 0) return;
    this.over = true;
    this.onDone();
  }
}

/** A Delivery over one attempt's acknowledgement. */
export function deliveryOf(log: string, partition: number, offset: bigint, durable: boolean, ack: Acknowledgement): Delivery {
  return { log, partition, offset, durable, hold: () => ack.hold() };
}
