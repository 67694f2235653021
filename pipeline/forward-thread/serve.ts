/**
 * The forwarding thread's side of the conversation with the main thread (./forward-thread): starts
 * the forward-role service, reports its readiness (and its stage logs' sizes) every
 * READY_INTERVAL_MS, appends the records the main thread relays to its memory logs, answers metrics
 * requests and reads of its state store, and drains the service when told to.
 */
import type { MessagePort } from 'node:worker_threads';
import { Payload } from '../../pdata/payload.js';
import { isPermanent, messageOf } from '../errors.js';
import type { Service } from '../service.js';
import type { StageLog, StageRecord } from '../stage-log.js';
import type { FromForwarder, StateRead, StateReadAnswer, ToForwarder } from './messages.js';
import { refusalOf } from './relay-log.js';

/** The parts of the forward-role Service this needs. */
export type ForwardService = Pick<Service, 'start' | 'shutdown' | 'notReadyReasons' | 'metrics' | 'stateStore' | 'stageLogs'>;

type Append = Extract<ToForwarder, { type: 'append' }>;

/** How stale the main thread's copy of the readiness may be. */
const READY_INTERVAL_MS = 250;

/** Runs `service` (built with role `forward`) under the main thread's direction over `port`. */
export async function serveForwarding(port: MessagePort, service: ForwardService): Promise<void> {
  const post = (m: FromForwarder): void => port.postMessage(m);
  let readiness: NodeJS.Timeout | undefined;
  // The graph made every log when the service was built: looked up by name per append, not searched.
  const logs = new Map(service.stageLogs().map((log) => [log.name, log]));
  port.on('message', (m: ToForwarder) => {
    if (m.type === 'append') {
      void append(logs.get(m.log), m).then(post);
    } else if (m.type === 'metrics') {
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
  const report = (): void => post({ type: 'ready', reasons: service.notReadyReasons(), logBytes: Object.fromEntries([...logs.values()].map((log) => [log.name, log.stats().bytes])) });
  report();
  readiness = setInterval(report, READY_INTERVAL_MS);
  post({ type: 'started' });
}

/** Appends relayed records to the named log, in the order they were sent; a refusal becomes the answer. */
async function append(log: StageLog | undefined, m: Append): Promise<FromForwarder> {
  if (!log) return { type: 'appended', id: m.id, log: m.log, logBytes: 0, refused: { name: 'PermanentError', message: `bug: no stage log ${m.log} on the forwarding thread` } };
  const bytes = new Uint8Array(m.bytes);
  const records: StageRecord[] = [];
  let at = 0;
  for (const [partition, length, items] of m.parts) {
    records.push({ key: undefined, partition, payload: new Payload(m.signal, bytes.subarray(at, at + length), items) });
    at += length;
  }
  try {
    await log.append(records);
    return { type: 'appended', id: m.id, log: m.log, logBytes: log.stats().bytes };
  } catch (err) {
    return { type: 'appended', id: m.id, log: m.log, logBytes: log.stats().bytes, refused: refusalOf(err) };
  }
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
