/**
 * The state one component keeps for one stage-log partition: one map in the store (a Redis hash
 * under `state:<component>:<log>:<partition>`), so that the partition's next owner reloads it with
 * one read instead of a scan of the keyspace, and a checkpoint is one transaction.
 */
import { stateKey } from './scope.js';
import type { StateOp, StateStore, StateValue } from './state-store.js';

/** One component's state in one partition. */
export interface PartitionState {
  /** The store key of the map, for logs. */
  readonly key: string;
  /** Whether a saved checkpoint outlives this process and reaches the next owner (StateStore.durable). */
  readonly durable: boolean;
  /** Every entry (empty for a partition never checkpointed). */
  load(): Promise<Map<string, Uint8Array>>;
  /** Writes `put` and removes `remove` in one transaction; rejects (RetryableError) if the store is down. */
  save(put: ReadonlyMap<string, StateValue>, remove?: Iterable<string>): Promise<void>;
  /** Removes every entry. */
  clear(): Promise<void>;
}

/** The state of `component` (its id) in `partition` of stage log `log`. */
export function partitionState(store: StateStore, component: string, log: string, partition: number): PartitionState {
  const key = stateKey('state', component, log, partition);
  return {
    key,
    durable: store.durable,
    load: () => store.fields(key),
    async save(put, remove = []) {
      const ops: StateOp[] = [];
      for (const [field, value] of put) ops.push({ op: 'set_field', key, field, value });
      for (const field of remove) ops.push({ op: 'delete_field', key, field });
      if (ops.length > 0) await store.batch(ops);
    },
    clear: () => store.delete(key),
  };
}
