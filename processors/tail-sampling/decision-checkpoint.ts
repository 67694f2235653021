/**
 * The partition's remembered decisions in its state store, so that spans arriving after a decision
 * follow it also after `kill -9`, a restart or a rebalance: without it the next owner would take a
 * late span for a new trace and decide that fragment alone (a sampled trace could lose its tail, a
 * dropped one reappear as a stub). otelcol keeps its decision cache in memory only.
 *
 * Incremental: each checkpoint writes the decisions made since the last one and removes the
 * forgotten ones. A record whose trace was decided is acknowledged only once the decision is
 * saved: the offset commit never passes a decision the next owner cannot know.
 */
import type { Logger } from 'pino';
import type { Hold } from '../../pipeline/delivery.js';
import { messageOf } from '../../pipeline/errors.js';
import type { PartitionState } from '../../pipeline/state/partition-state.js';
import type { DecisionMemory, Remembered } from './pending.js';
import type { Decision } from './policies.js';

const CODES: readonly Decision[] = ['sampled', 'not_sampled', 'dropped'];

/** One decision as a state value: its code, then the wall time it was made (float64 LE). */
export function encodeDecision(r: Remembered): Uint8Array {
  const bytes = new Uint8Array(9);
  bytes[0] = CODES.indexOf(r.decision);
  new DataView(bytes.buffer).setFloat64(1, r.atWall, true);
  return bytes;
}

/** The decision a state value holds, or undefined for a value this version did not write. */
export function decodeDecision(bytes: Uint8Array): Remembered | undefined {
  const decision = CODES[bytes[0] ?? -1];
  if (bytes.length !== 9 || !decision) return undefined;
  return { decision, atWall: new DataView(bytes.buffer, bytes.byteOffset, 9).getFloat64(1, true) };
}

/** Trace id keys (latin1, as splitByKey's `id`) as the store's field names: hex, readable in redis-cli. */
const fieldOf = (key: string): string => Buffer.from(key, 'latin1').toString('hex');
const keyOfField = (field: string): string => Buffer.from(field, 'hex').toString('latin1');

/** The decisions of one partition not yet checkpointed, and the records waiting for them. */
export class DecisionCheckpoint {
  private changed = new Map<string, Remembered>();
  private forgotten = new Set<string>();
  private waiting: Hold[] = [];
  private failing = false;

  constructor(private readonly state: PartitionState, private readonly logger: Logger) {}

  /** Fills `memory` with the checkpointed decisions, oldest first (so the oldest are forgotten first); the count. */
  async load(memory: DecisionMemory): Promise<number> {
    if (!this.state.durable) return 0;
    const entries: Array<[string, Remembered]> = [];
    for (const [field, value] of await this.state.load()) {
      const r = decodeDecision(value);
      if (r) entries.push([keyOfField(field), r]);
    }
    entries.sort((a, b) => a[1].atWall - b[1].atWall);
    for (const [key, r] of entries) memory.set(key, r);
    return entries.length;
  }

  /** A decision was made (or `evicted` forgotten to make room): both go into the next checkpoint. */
  noteDecided(key: string, r: Remembered, evicted: string | undefined): void {
    if (!this.state.durable) return;
    this.forgotten.delete(key);
    this.changed.set(key, r);
    if (evicted !== undefined) {
      this.changed.delete(evicted);
      this.forgotten.add(evicted);
    }
  }

  /** Releases the holds once the decisions made so far are checkpointed; at once when the store keeps nothing. */
  releaseAfterCheckpoint(holds: readonly Hold[]): void {
    if (!this.state.durable) for (const h of holds) h.release();
    else this.waiting.push(...holds);
  }

  /** Saves what changed, then releases the records that waited for it; true when nothing is left unsaved. */
  async save(): Promise<boolean> {
    if (this.changed.size === 0 && this.forgotten.size === 0) {
      this.releaseWaiting(this.waiting.splice(0));
      return true;
    }
    const changed = this.changed;
    const forgotten = this.forgotten;
    const waiting = this.waiting;
    this.changed = new Map();
    this.forgotten = new Set();
    this.waiting = [];
    const put = new Map<string, Uint8Array>();
    for (const [key, r] of changed) put.set(fieldOf(key), encodeDecision(r));
    try {
      await this.state.save(put, [...forgotten].map(fieldOf));
    } catch (err) {
      if (!this.failing) this.logger.warn({ err: messageOf(err) }, 'tail_sampling decision checkpoint failed; retrying at the next one');
      this.failing = true;
      // Merge back under what happened meanwhile: a newer decision or forgetting wins.
      for (const [key, r] of changed) if (!this.changed.has(key) && !this.forgotten.has(key)) this.changed.set(key, r);
      for (const key of forgotten) if (!this.changed.has(key)) this.forgotten.add(key);
      this.waiting.unshift(...waiting);
      return false;
    }
    if (this.failing) this.logger.info('tail_sampling decision checkpoint succeeded again');
    this.failing = false;
    this.releaseWaiting(waiting);
    return true;
  }

  /** Releases every waiting record unsaved: for a memory log at shutdown, where holding them saves nothing. */
  releaseAll(): void {
    this.releaseWaiting(this.waiting.splice(0));
  }

  private releaseWaiting(holds: readonly Hold[]): void {
    for (const h of holds) h.release();
  }
}
