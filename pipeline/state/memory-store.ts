/**
 * The embedded state store: a map in process memory with per-key expiry. State lives as long as
 * the process, which is all a single instance owning every partition needs.
 */
import { UnavailableError } from '../errors.js';
import { checkTtl, DEFAULT_LIST_LIMIT, toBytes, type ManagedStateStore, type StateOp, type StateValue } from './state-store.js';

/** How often expired keys are swept, so keys nobody reads again do not pile up. */
export const SWEEP_INTERVAL_MS = 30_000;

interface Slot {
  readonly value: Uint8Array;
  /** Present when the key holds a map (set_field) rather than bytes. */
  readonly fields?: Map<string, Uint8Array>;
  /** Epoch ms; undefined: never expires. */
  readonly expiresAt: number | undefined;
}

/** Options of the memory store; `now` is injectable so tests can move time. */
export interface MemoryStoreOptions {
  readonly now?: () => number;
}

/** The in-memory implementation of StateStore (`service.state.type: memory`). */
export class MemoryStore implements ManagedStateStore {
  readonly description = 'memory';
  readonly durable = false;
  private readonly slots = new Map<string, Slot>();
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.slots.clear();
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.checkOpen();
    const slot = this.live(key);
    // A copy, so a caller that edits the bytes does not edit the stored state.
    return slot && new Uint8Array(slot.value);
  }

  async put(key: string, value: StateValue, ttlMs?: number): Promise<void> {
    this.checkOpen();
    this.set(key, value, ttlMs);
  }

  async claim(key: string, value: StateValue, ttlMs: number): Promise<boolean> {
    this.checkOpen();
    checkTtl(ttlMs);
    if (this.live(key)) return false;
    this.set(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.checkOpen();
    this.slots.delete(key);
  }

  async batch(ops: readonly StateOp[]): Promise<void> {
    this.checkOpen();
    for (const op of ops) if (op.op === 'put') checkTtl(op.ttlMs);
    // Synchronous, so no other operation interleaves: all or nothing for free.
    for (const op of ops) {
      if (op.op === 'put') this.set(op.key, op.value, op.ttlMs);
      else if (op.op === 'delete') this.slots.delete(op.key);
      else this.setField(op.key, op.field, op.op === 'set_field' ? op.value : undefined);
    }
  }

  async fields(key: string): Promise<Map<string, Uint8Array>> {
    this.checkOpen();
    const map = this.live(key)?.fields ?? new Map<string, Uint8Array>();
    return new Map([...map].map(([f, v]) => [f, new Uint8Array(v)]));
  }

  /** Sets (or with no value removes) one field of the map under `key`; an empty map is no key, as in Redis. */
  private setField(key: string, field: string, value: StateValue | undefined): void {
    const fields = this.live(key)?.fields ?? new Map<string, Uint8Array>();
    if (value === undefined) fields.delete(field);
    else fields.set(field, typeof value === 'string' ? toBytes(value) : new Uint8Array(value));
    if (fields.size === 0) this.slots.delete(key);
    else this.slots.set(key, { value: new Uint8Array(0), fields, expiresAt: undefined });
  }

  async list(prefix: string, limit = DEFAULT_LIST_LIMIT): Promise<string[]> {
    this.checkOpen();
    const keys: string[] = [];
    for (const key of this.slots.keys()) {
      if (keys.length >= limit) break;
      if (key.startsWith(prefix) && this.live(key)) keys.push(key);
    }
    return keys;
  }

  notReadyReasons(): string[] {
    return this.closed ? ['state store is closed'] : [];
  }

  /** Number of keys held, expired ones included until the next sweep (for tests). */
  get size(): number {
    return this.slots.size;
  }

  /** Drops every expired key. */
  sweep(): void {
    const now = this.now();
    for (const [key, slot] of this.slots) {
      if (slot.expiresAt !== undefined && slot.expiresAt <= now) this.slots.delete(key);
    }
  }

  private set(key: string, value: StateValue, ttlMs: number | undefined): void {
    checkTtl(ttlMs);
    const bytes = typeof value === 'string' ? toBytes(value) : new Uint8Array(value);
    this.slots.set(key, { value: bytes, expiresAt: ttlMs === undefined ? undefined : this.now() + ttlMs });
  }

  /** The slot under `key` unless it expired (then it is dropped). */
  private live(key: string): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot?.expiresAt !== undefined && slot.expiresAt <= this.now()) {
      this.slots.delete(key);
      return undefined;
    }
    return slot;
  }

  private checkOpen(): void {
    if (this.closed) throw new UnavailableError('state store is closed');
  }
}
