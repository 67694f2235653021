/**
 * The state store offered on the main thread of a daemon with a forwarding thread (`host.stateStore()` for
 * extensions and receivers there), read-only: on Redis through a client of its own to the same
 * `service.state`, on the memory store (which lives on the forwarding thread) by asking that thread
 * over its message port.
 */
import type { Logger } from 'pino';
import type { StateSettings } from '../../config/index.js';
import { PermanentError, UnavailableError } from '../errors.js';
import { createStateStore } from '../state/create.js';
import { ReadOnlyStore, type StateReader } from '../state/read-only.js';
import type { ManagedStateStore } from '../state/state-store.js';
import type { StateRead, StateReadAnswer } from './messages.js';

/** Whoever can read the forwarding thread's store (ForwardThread). */
export interface StateReadChannel {
  readState(read: StateRead): Promise<StateReadAnswer>;
}

/** The main thread's read-only store for `settings`. */
export function mainThreadStateStore(settings: StateSettings, forwarder: StateReadChannel, logger: Logger): ManagedStateStore {
  if (settings.type === 'redis') {
    const own = createStateStore(settings, logger);
    return new ReadOnlyStore(`${own.description}, read-only`, own, own, own.durable);
  }
  return new ReadOnlyStore('memory on the forwarding thread, read-only', readerOver(forwarder), undefined, false);
}

/** get and list, asked of the forwarding thread. */
function readerOver(forwarder: StateReadChannel): StateReader {
  return {
    async get(key) {
      const answer = unwrap(await forwarder.readState({ op: 'get', key }));
      if (!('value' in answer)) throw new Error('bug: a get was answered with keys');
      return answer.value;
    },
    async list(prefix, limit) {
      const answer = unwrap(await forwarder.readState({ op: 'list', prefix, limit }));
      if (!('keys' in answer)) throw new Error('bug: a list was answered with a value');
      return answer.keys;
    },
    async fields(key) {
      const answer = unwrap(await forwarder.readState({ op: 'fields', key }));
      if (!('fields' in answer)) throw new Error('bug: a fields read was answered with something else');
      return answer.fields;
    },
  };
}

/** The answer, or its error rethrown typed as the forwarding thread had it. */
function unwrap(answer: StateReadAnswer): Exclude<StateReadAnswer, { error: string }> {
  if ('error' in answer) throw answer.retryable ? new UnavailableError(answer.error) : new PermanentError(answer.error);
  return answer;
}
