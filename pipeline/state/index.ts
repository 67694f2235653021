/** The state store package: the interface, its two implementations, scoping, ownership checkpoints. */
export type { ManagedStateStore, StateOp, StateStore, StateValue } from './state-store.js';
export { DEFAULT_LIST_LIMIT } from './state-store.js';
export { MemoryStore } from './memory-store.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export { scoped, stateKey } from './scope.js';
export { createStateStore } from './create.js';
export { CHECKPOINT_INTERVAL_MS, OwnershipCheckpoints, ownershipKey, type OwnershipRecord } from './ownership.js';
export { partitionState, type PartitionState } from './partition-state.js';
