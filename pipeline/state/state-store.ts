/**
 * The state store: where stateful processors (tail sampling, baselines, alert state) checkpoint
 * per-partition state and reload it when a partition is assigned to them (DESIGN.md "Delivery and
 * state"). In memory in the embedded default (./memory-store), in Redis when configured
 * (./redis-store). Components see only this interface.
 */

/** A stored value: bytes, or a string stored as its UTF-8 bytes. */
export type StateValue = Uint8Array | string;

/** One operation of a `batch`. */
export type StateOp =
  | { readonly op: 'put'; readonly key: string; readonly value: StateValue; readonly ttlMs?: number }
  | { readonly op: 'delete'; readonly key: string }
  /** Sets one field of the map under `key` (a Redis hash). */
  | { readonly op: 'set_field'; readonly key: string; readonly field: string; readonly value: StateValue }
  /** Removes one field of the map under `key`. */
  | { readonly op: 'delete_field'; readonly key: string; readonly field: string };

/**
 * Keyed bytes with optional expiry, as components use them. Keys are plain strings; a
 * component SHOULD namespace its keys per partition (see `scoped`), so that reloading one
 * partition's state is one `list` of its prefix.
 *
 * While the backend cannot be reached every operation MUST settle quickly — reject with a
 * RetryableError (pipeline/errors.ts) rather than queue — so that a caller is never held for
 * longer than the store's command timeout and memory stays bounded during an outage.
 */
export interface StateStore {
  /**
   * True when what is stored outlives this process and is seen by other instances (Redis): a
   * checkpoint there may stand in for held data. False for the memory store.
   */
  readonly durable: boolean;
  /** The value under `key`, or undefined when absent or expired. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores `value` under `key`; with `ttlMs` it expires that many milliseconds from now. */
  put(key: string, value: StateValue, ttlMs?: number): Promise<void>;
  /** Removes `key`; resolves also when it was absent. */
  delete(key: string): Promise<void>;
  /**
   * Applies every operation in order. MUST apply all or none where the backend can (a Redis
   * MULTI transaction); rejects when none was applied or when the outcome is unknown.
   */
  batch(ops: readonly StateOp[]): Promise<void>;
  /**
   * Keys starting with `prefix`, at most `limit` of them, in no particular order. Meant for
   * reloading a partition on assignment, not for the data path: in Redis it scans the keyspace.
   */
  list(prefix: string, limit?: number): Promise<string[]>;
  /**
   * Every field of the map under `key` (empty when absent): one round trip (HGETALL), no scan. A
   * partition's state is one such map (./partition-state), so reloading it is one read.
   */
  fields(key: string): Promise<Map<string, Uint8Array>>;
  /**
   * Optional: stores `value` under `key` (expiring after `ttlMs`) only when `key` is absent (Redis
   * SET NX PX); true when this call stored it. A lease: of several instances, exactly one wins.
   */
  claim?(key: string, value: StateValue, ttlMs: number): Promise<boolean>;
  /** Reasons the store cannot be used now (`redis localhost:6379 unreachable: ECONNREFUSED`); empty when ready. */
  notReadyReasons(): string[];
}

/** A store with a lifecycle; the service owns it, components MUST NOT start or close it. */
export interface ManagedStateStore extends StateStore {
  /** A short description for logs: `memory`, `redis localhost:6379 db 0`. */
  readonly description: string;
  /**
   * Opens connections. SHOULD resolve even when the backend is unreachable (the store then
   * reports a reason and keeps reconnecting): state is an optimisation, data must keep flowing.
   */
  start(): Promise<void>;
  /** Stops reconnecting and releases connections and timers; later operations reject. */
  close(): Promise<void>;
}

/** The default upper bound of `list`. */
export const DEFAULT_LIST_LIMIT = 10_000;

/** The bytes of a value (strings as UTF-8). */
export function toBytes(value: StateValue): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** Throws a RangeError unless `ttlMs` is undefined or a positive whole number of milliseconds. */
export function checkTtl(ttlMs: number | undefined): void {
  if (ttlMs !== undefined && !(Number.isInteger(ttlMs) && ttlMs > 0)) throw new RangeError(`ttlMs must be a positive whole number, got ${ttlMs}`);
}
