/**
 * The forwarding thread's side of the conversation with the main thread (./forward-thread): starts
 * the forward-role service, reports its readiness every READY_INTERVAL_MS, answers metrics
 * requests and reads of its state store, and drains the service when told to.
 */
import type { MessagePort } from 'node:worker_threads';
import { isPermanent, messageOf } from '../errors.js';
import type { Service } from '../service.js';
import type { FromForwarder, StateRead, StateReadAnswer, ToForwarder } from './messages.js';

/** The parts of the forward-role Service this needs. */
export type ForwardService = Pick<Service, 'start' | 'shutdown' | 'notReadyReasons' | 'metrics' | 'stateStore'>;

/** How stale the main thread's copy of the readiness may be. */
const READY_INTERVAL_MS = 250;

/** Runs `service` (built with role `forward`) under the main thread's direction over `port`. */
export async function serveForwarding(port: MessagePort, service: ForwardService): Promise<void> {
  const post = (m: FromForwarder): void => port.postMessage(m);
  let readiness: NodeJS.Timeout | undefined;
  port.on('message', (m: ToForwarder) => {
    if (m.type === 'metrics') {
      void service.metrics.registry.getMetricsAsJSON().then((metrics) => post({ type: 'metrics', id: m.id, metrics }));
    } else if (m.type === 'state-read') {
      void readState(service, m.read).then((answer) => post({ type: 'state-read', id: m.id, answer }));
    } else if (m.type === 'shutdown') {
      clearInterval(readiness);
      void service.shutdown(m.deadline).then((errors) => post({ type: 'stopped', errors: errors.map((e) => e.message) }));
    }
  });
  try {
    await service.start();
  } catch (err) {
    post({ type: 'start-failed', error: messageOf(err) });
    return;
  }
  const report = (): void => post({ type: 'ready', reasons: service.notReadyReasons() });
  report();
  readiness = setInterval(report, READY_INTERVAL_MS);
  post({ type: 'started' });
}

/** Runs one read on the service's state store; failures become answers, never rejections. */
async function readState(service: ForwardService, read: StateRead): Promise<StateReadAnswer> {
  try {
    const store = service.stateStore();
    if (read.op === 'get') return { value: await store.get(read.key) };
    if (read.op === 'fields') return { fields: await store.fields(read.key) };
    return { keys: await store.list(read.prefix, read.limit) };
  } catch (err) {
    return { error: messageOf(err), retryable: !isPermanent(err) };
  }
}
