/**
 * Namespaces within one store: a processor scopes its keys by its own id, its pipeline and the
 * partition, so that reloading a partition is one `list` and two owners never share a key.
 */
import type { StateOp, StateStore, StateValue } from './state-store.js';

/** Joins key parts with `:`, the separator Redis tools expect. */
export function stateKey(...parts: ReadonlyArray<string | number>): string {
  return parts.join(':');
}

/** A view of `store` in which every key is prefixed with `stateKey(...namespace) + ':'`. */
export function scoped(store: StateStore, ...namespace: ReadonlyArray<string | number>): StateStore {
  const prefix = `${stateKey(...namespace)}:`;
  const full = (key: string): string => prefix + key;
  return {
    durable: store.durable,
    get: (key) => store.get(full(key)),
    put: (key: string, value: StateValue, ttlMs?: number) => store.put(full(key), value, ttlMs),
    delete: (key) => store.delete(full(key)),
    batch: (ops: readonly StateOp[]) => store.batch(ops.map((op) => ({ ...op, key: full(op.key) }))),
    list: async (keyPrefix, limit) => (await store.list(full(keyPrefix), limit)).map((k) => k.slice(prefix.length)),
    fields: (key) => store.fields(full(key)),
    notReadyReasons: () => store.notReadyReasons(),
    ...(store.claim ? { claim: (key: string, value: StateValue, ttlMs: number) => store.claim!(full(key), value, ttlMs) } : {}),
  };
}
