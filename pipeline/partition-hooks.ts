/**
 * Fans a stage log's partition changes out to everyone who keeps per-partition state: the
 * pipeline's processors that have `assigned`/`revoked`, and the service's ownership checkpoints.
 */
import type { Logger } from 'pino';
import { messageOf } from './errors.js';
import type { PartitionHooks } from './stage-log.js';

/** A named listener, so a failing one can be told apart in the log. */
export interface NamedHooks {
  readonly name: string;
  readonly hooks: PartitionHooks;
}

/**
 * Hooks that call every listener's hook in order (processors in pipeline order, so upstream state
 * is in place first). A listener that rejects is logged and skipped: state is an optimisation,
 * and a rebalance or start-up must not fail because one processor could not reload.
 */
export function fanOutHooks(listeners: readonly NamedHooks[], logger: Logger): PartitionHooks {
  const call = async (what: 'assigned' | 'revoked', partitions: number[]): Promise<void> => {
    for (const { name, hooks } of listeners) {
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with `hooks` as this
      const hook = hooks[what];
      if (!hook) continue;
      try {
        await hook.call(hooks, partitions);
      } catch (err) {
        logger.error({ listener: name, partitions, err: messageOf(err) }, `partition ${what} hook failed`);
      }
    }
  };
  return {
    assigned: (partitions) => call('assigned', partitions),
    revoked: (partitions) => call('revoked', partitions),
  };
}
