/**
 * Partition ownership checkpoints: for every stage-log partition this instance owns, a record
 * under `owner:<log>:<partition>` saying who owns it since when, written on assignment, refreshed
 * every period and expiring after a few periods, so a dead instance's claims vanish by themselves.
 * On revocation a `released` record replaces it. A failed write (the store is down) is counted
 * and retried on the next tick; nothing here ever waits on the data path.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { messageOf } from '../errors.js';
import type { PartitionHooks } from '../stage-log.js';
import type { SelfMetrics } from '../telemetry.js';
import { stateKey } from './scope.js';
import type { StateOp, StateStore } from './state-store.js';

/** How often owned partitions are checkpointed. */
export const CHECKPOINT_INTERVAL_MS = 5_000;
/** How many periods a checkpoint outlives its last refresh. */
export const CHECKPOINT_TTL_PERIODS = 3;
/** How often a new owner looks whether the previous one has handed over. */
const HANDOVER_POLL_MS = 100;

/** The value of one checkpoint, JSON-encoded. */
export interface OwnershipRecord {
  /** `hostname:pid:random`, unique per process run. */
  readonly instance: string;
  readonly log: string;
  readonly partition: number;
  readonly state: 'owned' | 'released';
  /** ISO 8601 time of this write. */
  readonly at: string;
}

/** Options; defaults suit production, tests shorten the interval. */
export interface OwnershipOptions {
  readonly instance?: string;
  readonly intervalMs?: number;
}

/** The key of one partition's checkpoint (the Redis store prefixes it with `key_prefix:`). */
export function ownershipKey(log: string, partition: number): string {
  return stateKey('owner', log, partition);
}

/** Keeps the ownership checkpoints of one service instance. */
export class OwnershipCheckpoints {
  readonly instance: string;
  private readonly intervalMs: number;
  /** log name → partitions owned now. */
  private readonly owned = new Map<string, Set<number>>();
  /** `log|partition` → release records not yet written. */
  private readonly released = new Map<string, { log: string; partition: number }>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly store: StateStore,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
    options: OwnershipOptions = {},
  ) {
    this.instance = options.instance ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.intervalMs = options.intervalMs ?? CHECKPOINT_INTERVAL_MS;
  }

  /** Hooks for one stage log: they record the change and checkpoint it at once. They never reject. */
  hooksFor(log: string): Required<PartitionHooks> {
    return {
      assigned: async (partitions) => {
        const set = this.owned.get(log) ?? new Set<number>();
        this.owned.set(log, set);
        for (const p of partitions) {
          set.add(p);
          this.released.delete(`${log}|${p}`);
        }
        await this.checkpoint();
      },
      revoked: async (partitions) => {
        for (const p of partitions) {
          this.owned.get(log)?.delete(p);
          this.released.set(`${log}|${p}`, { log, partition: p });
        }
        await this.checkpoint();
      },
    };
  }

  /**
   * A hook for one stage log that makes an assignment wait for the previous owner's hand-over:
   * while another live instance still claims a partition (`owned`, not expired), its revocation
   * hooks — processors' final checkpoints, then its `released` record — have not finished, so
   * reloading state now would read a stale checkpoint. Waits until every claim is released or
   * expired (a dead owner's expires within `intervalMs × CHECKPOINT_TTL_PERIODS`), or the store
   * cannot answer (state is an optimisation: never block the data path on an outage).
   */
  handoverFor(log: string): Pick<Required<PartitionHooks>, 'assigned'> {
    return {
      assigned: async (partitions) => {
        const deadline = Date.now() + this.intervalMs * CHECKPOINT_TTL_PERIODS;
        let waiting = partitions;
        let told = false;
        while (waiting.length > 0 && Date.now() < deadline) {
          waiting = await this.claimedByOthers(log, waiting);
          if (waiting.length === 0) break;
          if (!told) this.logger.info({ log, partitions: waiting }, 'waiting for the previous owner to hand over its partitions');
          told = true;
          await new Promise((resolve) => setTimeout(resolve, HANDOVER_POLL_MS));
        }
        if (waiting.length > 0) this.logger.warn({ log, partitions: waiting }, 'previous owner did not hand over in time; taking the partitions');
      },
    };
  }

  /** The partitions of `log` that another instance still claims; none when the store is down. */
  private async claimedByOthers(log: string, partitions: number[]): Promise<number[]> {
    try {
      const claims = await Promise.all(partitions.map((p) => this.store.get(ownershipKey(log, p))));
      return partitions.filter((_, i) => {
        const bytes = claims[i];
        if (!bytes) return false;
        const record = JSON.parse(Buffer.from(bytes).toString('utf8')) as OwnershipRecord;
        return record.state === 'owned' && record.instance !== this.instance;
      });
    } catch {
      return [];
    }
  }

  /** Starts the periodic refresh. */
  start(): void {
    this.timer ??= setInterval(() => void this.checkpoint(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the refresh and waits for a write in progress (bounded by the store's timeout). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await (this.queued ?? this.writing);
  }

  /**
   * Writes every owned partition and pending release in one batch. One write at a time; a call
   * during a write queues one more after it (calls meanwhile share that one), so a change made
   * mid-write is written without waiting a whole period.
   */
  checkpoint(): Promise<void> {
    if (!this.writing) {
      this.writing = this.write().finally(() => (this.writing = undefined));
      return this.writing;
    }
    this.queued ??= this.writing.then(() => {
      this.queued = undefined;
      return this.checkpoint();
    });
    return this.queued;
  }

  private async write(): Promise<void> {
    const at = new Date().toISOString();
    const ttlMs = this.intervalMs * CHECKPOINT_TTL_PERIODS;
    const records: OwnershipRecord[] = [];
    for (const [log, set] of this.owned) for (const partition of set) records.push({ instance: this.instance, log, partition, state: 'owned', at });
    const releases = [...this.released];
    for (const [, r] of releases) records.push({ instance: this.instance, ...r, state: 'released', at });
    if (records.length === 0) return;
    const ops: StateOp[] = records.map((r) => ({ op: 'put', key: ownershipKey(r.log, r.partition), value: JSON.stringify(r), ttlMs }));
    try {
      await this.store.batch(ops);
    } catch (err) {
      for (const r of records) this.metrics.stateCheckpointFailures.inc({ log: r.log });
      if (!this.failing) this.logger.warn({ err: messageOf(err), checkpoints: records.length }, 'state checkpoint failed; retrying every period');
      this.failing = true;
      return;
    }
    for (const r of records) this.metrics.stateCheckpoints.inc({ log: r.log });
    for (const [key] of releases) this.released.delete(key);
    if (this.failing) this.logger.info({ checkpoints: records.length }, 'state checkpoints written again');
    this.failing = false;
  }
}
