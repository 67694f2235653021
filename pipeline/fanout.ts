/**
 * Fan-out to several consumers with end-to-end acknowledgement: the worst outcome wins. If any
 * consumer failed retryably the whole delivery is retried (a consumer that succeeded sees the data
 * again — at least once); if none failed retryably but one failed permanently, the data is dropped.
 */
import type { Consumer } from './component.js';
import type { Delivery } from './delivery.js';
import { isPermanent } from './errors.js';
import type { Payload } from '../pdata/payload.js';

/** Returns a consumer that gives every payload to all `consumers` (or the only one, unwrapped). */
export function fanOut(consumers: readonly Consumer[]): Consumer {
  if (consumers.length === 1) return consumers[0]!;
  return {
    checkRoom(bytes: number): void {
      for (const c of consumers) c.checkRoom?.(bytes);
    },
    async consume(payload: Payload, delivery?: Delivery): Promise<void> {
      const outcomes = await Promise.allSettled(consumers.map((c) => c.consume(payload, delivery)));
      let permanent: Error | undefined;
      for (const o of outcomes) {
        if (o.status === 'fulfilled') continue;
        if (!isPermanent(o.reason)) throw o.reason;
        permanent ??= o.reason;
      }
      if (permanent !== undefined) throw permanent;
    },
  };
}
