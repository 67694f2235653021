/**
 * The helper for stateful processors (tail sampling, span metrics, baselines, anomaly models,
 * alert state): everything the engine offers, per stage-log partition. The processor declares the
 * partition key it needs and opens a `PartitionWorker` for each partition this instance is
 * assigned; the helper routes every delivery to its partition's worker, keeps the partition's
 * event-time clock (pipeline/event-time), scopes its state (one map per partition in the state
 * store), and revokes the worker on rebalance or shutdown. pipeline/README.md explains the contract.
 */
import type { Logger } from 'pino';
import type { Consumer, CreateSettings, Host, Processor } from '../../pipeline/component.js';
import type { Delivery } from '../../pipeline/delivery.js';
import { messageOf, PermanentError } from '../../pipeline/errors.js';
import { PartitionClock, type ClockOptions } from '../../pipeline/event-time/clock.js';
import type { Revocation } from '../../pipeline/stage-log.js';
import { partitionState, type PartitionState } from '../../pipeline/state/partition-state.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { maxEventTime, type Payload, type Signal } from '../../pdata/index.js';
import { pipelineOf, processorLabels, type ProcessorLabels } from './processor.js';

/** What a partition's worker is given. */
export interface PartitionContext {
  /** The stage log (`<pipeline>.ingest`) and partition this worker owns. */
  readonly log: string;
  readonly partition: number;
  /** The partition's event time: watermark and timers. */
  readonly clock: PartitionClock;
  /** This component's state in this partition: reload it in `open`, checkpoint it as you go. */
  readonly state: PartitionState;
  readonly logger: Logger;
  /** Hands data to the next consumer (counted as outgoing); resolves once it was accepted downstream. */
  emit(payload: Payload): Promise<void>;
}

/** The processor's logic for one partition. Its calls and its timers interleave only at `await`s. */
export interface PartitionWorker {
  /**
   * One delivery of this partition. Take `delivery.hold()` for data kept past this call (until it
   * is emitted and accepted, or checkpointed), and release the hold then.
   */
  consume(payload: Payload, delivery: Delivery): Promise<void>;
  /**
   * The partition goes away. When `why.redelivered` the records behind unreleased holds come again
   * to the next owner: checkpoint and drop them. Otherwise emit what is held, then release it.
   */
  revoke(why: Revocation): Promise<void>;
}

/** Everything `createStatefulProcessor` needs. */
export interface StatefulOptions {
  readonly settings: CreateSettings;
  readonly signal: Signal;
  readonly next: Consumer;
  /** The event time (epoch ms) a payload moves the watermark to; default its latest item time. */
  readonly eventTime?: (payload: Payload) => number | undefined;
  readonly clock?: ClockOptions;
  /**
   * Opens one assigned partition: reload `ctx.state`, schedule timers, return its worker. SHOULD
   * start empty rather than reject when the store is down (state is an optimisation); a rejection
   * fails the partition's deliveries (retried) until an open succeeds.
   */
  open(ctx: PartitionContext): Promise<PartitionWorker>;
  readonly start?: (host: Host) => Promise<void>;
  readonly shutdown?: (deadline: number) => Promise<void>;
}

/** Creates a Processor that runs one PartitionWorker per owned partition. */
export function createStatefulProcessor(options: StatefulOptions): Processor {
  return new StatefulProcessor(options);
}

interface Owned {
  readonly ctx: PartitionContext;
  readonly worker: Promise<PartitionWorker>;
}

const nanosToMs = (nanos: bigint): number | undefined => (nanos > 0n ? Number(nanos / 1_000_000n) : undefined);

class StatefulProcessor implements Processor {
  private readonly labels: ProcessorLabels;
  private readonly log: string;
  private readonly owned = new Map<number, Owned>();
  private store: StateStore | undefined;

  constructor(private readonly o: StatefulOptions) {
    this.labels = processorLabels(o.settings, o.signal);
    this.log = `${pipelineOf(o.settings, o.signal)}.ingest`;
  }

  async start(host: Host): Promise<void> {
    this.store = host.stateStore();
    await this.o.start?.(host);
  }

  async shutdown(deadline: number): Promise<void> {
    // The stage log revoked every partition on its way down; anything left is from a log that never started.
    await this.revoked([...this.owned.keys()], { redelivered: false });
    await this.o.shutdown?.(deadline);
  }

  async assigned(partitions: number[]): Promise<void> {
    await Promise.all(partitions.map((p) => this.worker(p).worker));
  }

  async revoked(partitions: number[], why: Revocation): Promise<void> {
    await Promise.all(partitions.map(async (p) => {
      const owned = this.owned.get(p);
      if (!owned) return;
      this.owned.delete(p);
      try {
        await (await owned.worker).revoke(why);
      } finally {
        await owned.ctx.clock.stop();
      }
    }));
  }

  async consume(payload: Payload, delivery?: Delivery): Promise<void> {
    if (!delivery) {
      throw new PermanentError(`${this.o.settings.id.id} needs data straight from its pipeline's stage log; put it before any processor that merges data (batch)`);
    }
    this.o.settings.metrics.processorIncoming.inc(this.labels, payload.itemCount);
    const { ctx, worker } = this.worker(delivery.partition);
    await (await worker).consume(payload, delivery);
    await ctx.clock.observe(this.o.eventTime ? this.o.eventTime(payload) : nanosToMs(maxEventTime(payload)));
  }

  /** The partition's worker, opened on first use (normally by `assigned`, before any delivery). */
  private worker(partition: number): Owned {
    const existing = this.owned.get(partition);
    if (existing) return existing;
    const { settings } = this.o;
    const logger = settings.logger.child({ partition });
    const store = this.store;
    if (!store) throw new Error(`bug: ${settings.id.id} got data before start`);
    const ctx: PartitionContext = {
      log: this.log,
      partition,
      logger,
      clock: new PartitionClock(this.o.clock, (err) => logger.error({ err: messageOf(err) }, 'timer failed')),
      state: partitionState(store, settings.id.id, this.log, partition),
      emit: async (out) => {
        settings.metrics.processorOutgoing.inc(this.labels, out.itemCount);
        await this.o.next.consume(out);
      },
    };
    const worker = this.o.open(ctx);
    const owned: Owned = { ctx, worker };
    // A partition that could not be opened is opened again by its next delivery (retried by the log).
    worker.catch(() => {
      if (this.owned.get(partition) === owned) this.owned.delete(partition);
      void ctx.clock.stop();
    });
    this.owned.set(partition, owned);
    return owned;
  }
}
