/**
 * Test material for stateful processors with a durable state store, in process: one partition
 * owned by a processor after another (a rebalance or a restart), records delivered by offset as
 * the Kafka stage log delivers them, and whether each was acknowledged.
 */
import { Acknowledgement, deliveryOf } from '../pipeline/delivery.js';
import { MemoryStore } from '../pipeline/state/memory-store.js';
import type { Processor } from '../pipeline/component.js';
import type { Payload } from '../pdata/index.js';
import { NoopHost } from './doubles.js';

/** A host whose state store claims durability, as Redis does: a checkpoint outlives its owner. */
export function durableHost(): NoopHost {
  const store = new MemoryStore();
  Object.defineProperty(store, 'durable', { value: true });
  const host = new NoopHost();
  host.stateStore = () => store;
  return host;
}

/** Starts a processor from `create` on `host` and gives it partition 0: the partition's next owner. */
export async function ownPartition<P extends Processor>(create: () => P, host: NoopHost): Promise<P> {
  const proc = create();
  await proc.start(host);
  await proc.assigned!([0]);
  return proc;
}

/**
 * Delivers `payload` as offset `offset` of partition 0 of stage log `log`, durably (as Kafka does);
 * the returned function tells whether the record has been acknowledged since.
 */
export async function deliverAt(proc: Processor, log: string, offset: bigint, payload: Payload): Promise<() => boolean> {
  let done = false;
  const ack = new Acknowledgement(() => { done = true; });
  await proc.consume(payload, deliveryOf(log, 0, offset, true, ack));
  ack.settle();
  return () => done;
}
