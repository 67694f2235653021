/**
 * A Kafka consumer group member that commits only what its handler finished (at-least-once).
 *
 * Records are handed to an async handler as they are fetched, up to `maxInFlightPerPartition` per
 * partition (the partition is paused while its window is full). An offset is committed only once the
 * handler resolved for that record and for every earlier record of its partition: each partition
 * keeps its dispatched records in order and the commit point advances over the finished prefix.
 * A handler rejection with a PermanentError skips the record (counted, logged once per burst, and
 * committed past, so a poison record never blocks its partition); any other rejection is retried
 * with exponential backoff and jitter, never skipped.
 *
 * kafkajs runs with `autoCommit: false` and `eachBatchAutoResolve: false`: `resolveOffset` only moves
 * its fetch position (so fetching continues while records are in flight); offsets reach the broker
 * only through our explicit `commitOffsets`, periodically, on rebalance and on stop.
 */
import type { Consumer as KafkaConsumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { Backoff, type BackoffSettings } from '../backoff.js';
import { BurstLog } from '../burst-log.js';
import { Acknowledgement, type Hold } from '../delivery.js';
import { InvalidInputError, isPermanent, messageOf } from '../errors.js';
import type { SelfMetrics } from '../telemetry.js';

/** One Kafka record as the handler sees it. `offset` is a decimal string (Kafka offsets are 64-bit). */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly headers: IHeaders;
}

/**
 * Processes one record. Resolving marks it done once every hold taken with `hold` is released
 * (committable once every earlier record of the partition is done; see ../delivery). Rejecting
 * with a PermanentError skips it for good; any other rejection makes the consumer call it again for
 * the same record after a backoff. MAY be called concurrently for records of one partition (up to
 * the in-flight bound), in offset order.
 */
export type RecordHandler = (record: ConsumedRecord, hold: () => Hold) => Promise<void>;

/** Partitions of one topic. */
export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: number[];
}

/** Told when this member gains or loses partitions. */
export interface AssignmentHooks {
  /** Called before any record of these partitions is delivered; delivery waits for it to settle. */
  assigned?(partitions: TopicPartitions[]): Promise<void> | void;
  /**
   * Called after a rebalance took these partitions away, and for every assigned partition on stop
   * once no handler is running. Holds not released when it settles are abandoned: those records
   * stay uncommitted and the partition's next owner reads them again.
   */
  revoked?(partitions: TopicPartitions[]): Promise<void> | void;
}

/** Everything a GroupConsumer needs. */
export interface GroupConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  handler: RecordHandler;
  logger: Logger;
  metrics: SelfMetrics;
  /** The `consumer` label of the self-metrics (a component id, a stage log name). */
  name: string;
  /** Where a group with no committed offset starts: the earliest record (true) or new ones only. */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Records whose handler is running, per partition. Default 64. */
  maxInFlightPerPartition?: number;
  /** Records dispatched and not yet committable (running or held), per partition. Default 65,536. */
  maxUncommittedPerPartition?: number;
  /** How often finished offsets are committed. Default 1s. */
  commitIntervalMs?: number;
  /**
   * The longest a fetch waits on the broker for new records. Short, because a partition resumed
   * after its window filled is fetched again only when the current fetch returns. Default 500 ms.
   */
  maxWaitTimeMs?: number;
  /** Backoff of retryable handler failures. */
  retry?: Partial<BackoffSettings>;
  hooks?: AssignmentHooks;
}

/** Defaults of the options. */
export const DEFAULT_MAX_IN_FLIGHT = 64;
export const DEFAULT_MAX_UNCOMMITTED = 65_536;
export const DEFAULT_COMMIT_INTERVAL_MS = 1000;
export const DEFAULT_MAX_WAIT_TIME_MS = 500;
export const DEFAULT_RETRY: BackoffSettings = { initialMs: 100, multiplier: 2, maxMs: 10_000, jitter: 0.5 };

interface Entry {
  readonly offset: bigint;
  done: boolean;
}

/** What this member tracks for one assigned partition. */
class PartitionState {
  /** Dispatched records in offset order; the finished prefix is popped into `commitPoint`. */
  readonly entries: Entry[] = [];
  /** Dispatched records whose handler has not settled yet (the others are done or held). */
  running = 0;
  /** The next offset to dispatch; records below it (refetched after a rebalance) are already ours. */
  nextDispatch: bigint | undefined;
  /** The offset to commit: every dispatched record below it is done. */
  commitPoint: bigint | undefined;
  committed: bigint | undefined;
  paused = false;
  revoked = false;
  ready: Promise<void> = Promise.resolve();
  constructor(readonly topic: string, readonly partition: number) {}
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Groups `topic/partition` pairs by topic, partitions sorted. */
function byTopic(states: Iterable<{ topic: string; partition: number }>): TopicPartitions[] {
  const map = new Map<string, number[]>();
  for (const s of states) {
    const list = map.get(s.topic) ?? [];
    list.push(s.partition);
    map.set(s.topic, list);
  }
  return [...map].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

/** A consumer group member delivering records to one handler, committing after it. */
export class GroupConsumer {
  private readonly consumer: KafkaConsumer;
  private readonly o: GroupConsumerOptions;
  private readonly maxInFlight: number;
  private readonly maxUncommitted: number;
  private readonly retry: BackoffSettings;
  private readonly logger: Logger;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly skipLog: BurstLog;
  private readonly retryLog: BurstLog;
  private readonly commitLog: BurstLog;
  private readonly sleeps = new Set<() => void>();
  private idleWaiters: Array<() => void> = [];
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();
  private joins = 0;
  private started = false;
  private stopping = false;
  /** Set at the stop deadline: retries end, unfinished records stay uncommitted (redelivered later). */
  private abandoned = false;
  private crashed: string | undefined;

  constructor(options: GroupConsumerOptions) {
    this.o = options;
    this.maxInFlight = options.maxInFlightPerPartition ?? DEFAULT_MAX_IN_FLIGHT;
    this.maxUncommitted = options.maxUncommittedPerPartition ?? DEFAULT_MAX_UNCOMMITTED;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.logger = options.logger;
    this.skipLog = new BurstLog(this.logger);
    this.retryLog = new BurstLog(this.logger);
    this.commitLog = new BurstLog(this.logger);
    const config: Parameters<Kafka['consumer']>[0] = {
      groupId: options.groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: options.maxWaitTimeMs ?? DEFAULT_MAX_WAIT_TIME_MS,
    };
    if (options.sessionTimeoutMs !== undefined) config.sessionTimeout = options.sessionTimeoutMs;
    if (options.heartbeatIntervalMs !== undefined) config.heartbeatInterval = options.heartbeatIntervalMs;
    this.consumer = options.kafka.consumer(config);
    const { GROUP_JOIN, REBALANCING, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => this.onJoin(e.payload.memberAssignment));
    // The old generation may still commit while the group prepares to rebalance: do it now, so the
    // next owner of a partition redelivers as little as possible.
    this.consumer.on(REBALANCING, () => void this.commit()); // commit() never rejects
    this.consumer.on(CRASH, (e) => {
      this.crashed = `kafka consumer group ${options.groupId} crashed: ${messageOf(e.payload.error)}${e.payload.restart ? ' (restarting)' : ''}`;
    });
  }

  /** Connects, subscribes and joins the group; records flow to the handler from then on. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.o.topics], fromBeginning: this.o.fromBeginning ?? false });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.commitTimer = setInterval(() => void this.commit(), this.o.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS);
    this.commitTimer.unref();
  }

  /**
   * Stops taking records, lets the handler finish what is in flight until `deadline` (epoch ms),
   * reports every partition revoked (holders flush or drop what they hold), commits what finished
   * and leaves the group. Records not finished by then stay uncommitted and are delivered again to
   * whoever owns the partition next.
   */
  async stop(deadline: number): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    clearInterval(this.commitTimer);
    await this.idle(deadline);
    const all = [...this.partitions.values()];
    if (all.length > 0) await this.callHook('revoked', byTopic(all));
    this.abandoned = true;
    for (const wake of this.sleeps) wake();
    await this.commit();
    for (const s of all) s.revoked = true;
    this.partitions.clear();
    await this.consumer.disconnect();
  }

  /** Why this member cannot consume now (crashed, not yet in the group); empty when it can. */
  notReadyReasons(): string[] {
    if (!this.started || this.stopping) return [];
    if (this.crashed) return [this.crashed];
    if (this.joins === 0) return [`kafka consumer group ${this.o.groupId} has not joined yet`];
    return [];
  }

  /** Commits every partition's finished prefix now (also runs periodically). Never rejects. */
  commit(): Promise<void> {
    this.committing = this.committing.then(() => this.commitOnce());
    return this.committing;
  }

  /** The partitions assigned to this member now. */
  assignment(): TopicPartitions[] {
    return byTopic(this.partitions.values());
  }

  private async commitOnce(): Promise<void> {
    const due = [...this.partitions.values()].filter((s) => s.commitPoint !== undefined && s.commitPoint !== s.committed);
    if (due.length === 0) return;
    const offsets = due.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.commitPoint!.toString() }));
    const m = this.o.metrics;
    const end = m.kafkaCommitLatency.startTimer({ consumer: this.o.name });
    try {
      await this.consumer.commitOffsets(offsets);
      end();
      m.kafkaCommits.inc({ consumer: this.o.name, outcome: 'ok' });
      due.forEach((s, i) => {
        s.committed = BigInt(offsets[i]!.offset);
        m.kafkaCommittedOffset.set({ consumer: this.o.name, topic: s.topic, partition: String(s.partition) }, Number(s.committed));
      });
    } catch (err) {
      // A rebalance or a broker restart: the finished offsets stay due and go with the next commit.
      m.kafkaCommits.inc({ consumer: this.o.name, outcome: 'failed' });
      this.commitLog.warn({ group: this.o.groupId, err: messageOf(err) }, 'offset commit failed, will commit again');
    }
  }

  /** Compares the new assignment with the previous one and tells the hooks. */
  private onJoin(assignment: Record<string, number[]>): void {
    if (this.joins++ > 0) this.o.metrics.kafkaRebalances.inc({ consumer: this.o.name });
    this.crashed = undefined;
    const now = new Set<string>();
    const gained: PartitionState[] = [];
    for (const [topic, parts] of Object.entries(assignment)) {
      for (const partition of parts) {
        const key = keyOf(topic, partition);
        now.add(key);
        const kept = this.partitions.get(key);
        // Commit again in the new generation: a commit kafkajs dropped while it was not running
        // (crash, restart) must not be taken for done.
        if (kept) kept.committed = undefined;
        else {
          const s = new PartitionState(topic, partition);
          this.partitions.set(key, s);
          gained.push(s);
        }
      }
    }
    const lost: PartitionState[] = [];
    for (const [key, s] of this.partitions) {
      if (now.has(key)) continue;
      // Its in-flight records may finish, but their offsets are the new owner's business now.
      s.revoked = true;
      this.partitions.delete(key);
      lost.push(s);
      this.o.metrics.kafkaLag.remove({ consumer: this.o.name, topic: s.topic, partition: String(s.partition) });
      if (s.paused) this.consumer.resume([{ topic: s.topic, partitions: [s.partition] }]);
    }
    this.logger.info({ group: this.o.groupId, assigned: byTopic(gained), revoked: byTopic(lost) }, 'consumer group joined');
    const revoking = lost.length > 0 ? this.callHook('revoked', byTopic(lost)) : Promise.resolve();
    if (gained.length > 0) {
      const ready = revoking.then(() => this.callHook('assigned', byTopic(gained)));
      for (const s of gained) s.ready = ready;
    }
    this.wakeIdle();
  }

  private async callHook(which: 'assigned' | 'revoked', partitions: TopicPartitions[]): Promise<void> {
    try {
      await this.o.hooks?.[which]?.(partitions);
    } catch (err) {
      this.logger.error({ err: messageOf(err), partitions }, `partitions ${which} hook failed`);
    }
  }

  /** Dispatches what the window allows; resolves fetch positions of dispatched records only. */
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs' payload functions are closures over the batch, not methods
  private async onBatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const s = this.partitions.get(keyOf(batch.topic, batch.partition));
    if (!s) return;
    await s.ready;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.stopping || s.revoked) break;
      const offset = BigInt(message.offset);
      if (s.nextDispatch !== undefined && offset < s.nextDispatch) {
        resolveOffset(message.offset);
        continue;
      }
      if (this.windowFull(s)) {
        // The rest of the batch is fetched again after resume (its offsets were not resolved).
        s.paused = true;
        this.consumer.pause([{ topic: s.topic, partitions: [s.partition] }]);
        break;
      }
      this.dispatch(s, message);
      resolveOffset(message.offset);
      s.nextDispatch = offset + 1n;
    }
    if (s.nextDispatch !== undefined) {
      const lag = BigInt(batch.highWatermark) - s.nextDispatch;
      this.o.metrics.kafkaLag.set({ consumer: this.o.name, topic: s.topic, partition: String(s.partition) }, Number(lag < 0n ? 0n : lag));
    }
  }

  private dispatch(s: PartitionState, message: KafkaMessage): void {
    const entry: Entry = { offset: BigInt(message.offset), done: false };
    s.entries.push(entry);
    this.o.metrics.kafkaConsumed.inc({ consumer: this.o.name, topic: s.topic });
    const record: ConsumedRecord = {
      topic: s.topic, partition: s.partition, offset: message.offset,
      key: message.key ?? null, value: message.value ?? Buffer.alloc(0), headers: message.headers ?? {},
    };
    void this.deliver(s, entry, record);
  }

  /** Calls the handler until it resolves or rejects permanently; the entry is done once its holds are released. */
  private async deliver(s: PartitionState, entry: Entry, record: ConsumedRecord): Promise<void> {
    const backoff = new Backoff(this.retry);
    s.running++;
    for (let attempt = 1; ; attempt++) {
      const ack = new Acknowledgement(() => this.finish(s, entry));
      try {
        await this.o.handler(record, () => ack.hold());
        s.running--;
        ack.settle();
        this.advance(s);
        return;
      } catch (err) {
        ack.abandon();
        if (isPermanent(err)) {
          this.o.metrics.kafkaSkipped.inc({ consumer: this.o.name, topic: s.topic });
          // The stage log validated the record before the pipeline saw it: an InvalidInputError from
          // further down is a component misreading valid data, and its stack says which one.
          const stack = err instanceof InvalidInputError ? err.stack : undefined;
          this.skipLog.warn({ topic: s.topic, partition: s.partition, offset: record.offset, err: messageOf(err), ...(stack ? { stack } : {}) },
            'skipping a record the pipeline rejected permanently (its offset will be committed)');
          s.running--;
          this.finish(s, entry);
          return;
        }
        if (s.revoked || this.abandoned) { s.running--; this.forget(s, entry); return; }
        this.o.metrics.kafkaRetried.inc({ consumer: this.o.name, topic: s.topic });
        if (attempt === 1) {
          this.retryLog.warn({ topic: s.topic, partition: s.partition, offset: record.offset, err: messageOf(err) },
            'record not accepted downstream, retrying with backoff (not committed until it is)');
        }
        await this.sleep(backoff.nextDelay());
        if (s.revoked || this.abandoned) { s.running--; this.forget(s, entry); return; }
      }
    }
  }

  private finish(s: PartitionState, entry: Entry): void {
    entry.done = true;
    this.advance(s);
  }

  /** No more records of this partition go out: too many running, or too many held uncommitted. */
  private windowFull(s: PartitionState): boolean {
    return s.running >= this.maxInFlight || s.entries.length >= this.maxUncommitted;
  }

  /** Gives a record up without committing it (revoked, or stopped at the deadline). */
  private forget(s: PartitionState, entry: Entry): void {
    const i = s.entries.indexOf(entry);
    // Everything from here on must not be committed; the records are redelivered to the next owner.
    if (i >= 0) s.entries.splice(i);
    this.wakeIdle();
  }

  /** Moves the commit point over the finished prefix; resumes a paused partition with room again. */
  private advance(s: PartitionState): void {
    while (s.entries.length > 0 && s.entries[0]!.done) s.commitPoint = s.entries.shift()!.offset + 1n;
    if (s.paused && !this.windowFull(s) && !s.revoked) {
      s.paused = false;
      this.consumer.resume([{ topic: s.topic, partitions: [s.partition] }]);
    }
    this.wakeIdle();
  }

  /** Records whose handler is still running; held records do not count (stop revokes them). */
  private inFlight(): number {
    let n = 0;
    for (const s of this.partitions.values()) n += s.running;
    return n;
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0 || this.inFlight() > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when nothing is in flight, or at the deadline. */
  private idle(deadline: number): Promise<void> {
    if (this.inFlight() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      function done(): void { clearTimeout(timer); resolve(); }
      this.idleWaiters.push(done);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => { clearTimeout(timer); this.sleeps.delete(wake); resolve(); };
      const timer = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }
}
