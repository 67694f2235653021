/** The main thread's handle on a forwarding thread, against a real worker running the real protocol. */
import { pino } from 'pino';
import t from 'tap';
import { SelfMetrics } from '../telemetry.js';
import { Payload } from '../../pdata/payload.js';
import { ForwardThread } from './forward-thread.js';
import { mainThreadStateStore } from './main-thread-store.js';
import { RelayLog } from './relay-log.js';

const SCRIPT = new URL('./fixture-worker.js', import.meta.url);
const logger = pino({ level: 'silent' });

t.test('starts, relays readiness and metrics, and stops by the deadline', async (t) => {
  const deaths: string[] = [];
  const thread = new ForwardThread(SCRIPT, { mode: 'ok' }, logger, (r) => deaths.push(r));
  t.same(await thread.metrics(), [], 'no metrics before it runs');
  await thread.start();
  await new Promise((r) => setTimeout(r, 50));
  t.same(thread.notReadyReasons(), ['redis localhost:6379 unreachable'], 'its not-ready reasons, as it reported them');

  const main = new SelfMetrics();
  main.kafkaConsumed.inc({ consumer: 'traces.ingest', topic: 't' }, 5);
  main.addSource(thread);
  t.match(await main.exposition(), /vigil_kafka_consumer_records_total\{consumer="traces\.ingest",topic="t"\} 12/, 'both threads\' counters summed in one exposition');

  t.same(await thread.shutdown(Date.now() + 5000), [], 'drained without errors');
  t.same(deaths, [], 'a requested stop is not a death');
  t.match(thread.notReadyReasons(), [/exited/]);
});

t.test('appends are relayed to the thread\'s memory log, in order, and its refusals come back typed', async (t) => {
  const thread = new ForwardThread(SCRIPT, { mode: 'ok' }, logger, () => t.fail('not a death'));
  const log = new RelayLog('traces.ingest', 'traces', 2, 10, thread);
  await t.rejects(log.append([{ key: undefined, partition: 0, payload: new Payload('traces', Uint8Array.of(1), 1) }]), { name: 'UnavailableError', message: /not running/ }, 'not before the thread runs');
  await thread.start();
  const store = mainThreadStateStore({ type: 'memory' }, thread, logger);
  const records = (partition: number, ...values: number[]) => values.map((v) => ({ key: undefined, partition, payload: new Payload('traces', Uint8Array.of(v, v), 1) }));
  await Promise.all([log.append([...records(0, 1), ...records(1, 2)]), log.append(records(0, 3)), log.append(records(1, 4))]);
  const delivered = async (key: string) => [...((await store.get(key)) ?? [])];
  t.same([await delivered('delivered/0/0'), await delivered('delivered/0/1'), await delivered('delivered/1/0'), await delivered('delivered/1/1')], [[1, 1], [3, 3], [2, 2], [4, 4]],
    'every record on its partition, in the order appended');
  t.equal(thread.logBytes('traces.ingest'), 8, 'the log\'s size as the thread reported it');
  await t.rejects(log.append(records(0, 5, 6)), { name: 'QueueFullError', message: /traces\.ingest is full \(8 of 10 bytes\)/ }, 'the held records fill the log: refused there, typed here');
  t.throws(() => log.checkRoom(4), { name: 'QueueFullError' }, 'and refused here before sending');
  await log.append(records(1, 7));
  t.same(await delivered('delivered/1/2'), [7, 7], 'what fits is still taken');
  t.same(await thread.shutdown(Date.now() + 5000), []);
  await store.close();
});

t.test('a failed start rejects with the thread\'s reason', async (t) => {
  const thread = new ForwardThread(SCRIPT, { mode: 'fail-start' }, logger, () => t.fail('not a death'));
  await t.rejects(thread.start(), /forwarding thread: cannot reach the brokers/);
});

t.test('a thread that exits on its own is reported, so the daemon can stop', async (t) => {
  const died = new Promise<string>((resolve) => {
    const thread = new ForwardThread(SCRIPT, { mode: 'die' }, logger, resolve);
    void thread.start();
  });
  t.match(await died, /forwarding thread exited with code 3/);
});

t.test('the main thread reads the memory state store of the forwarding thread, and only reads it', async (t) => {
  const thread = new ForwardThread(SCRIPT, { mode: 'ok' }, logger, () => t.fail('not a death'));
  const store = mainThreadStateStore({ type: 'memory' }, thread, logger);
  await t.rejects(store.get('baseline/traces.ingest/0/checkout'), { name: 'UnavailableError', message: /not running/ }, 'not before the thread runs');
  await thread.start();
  t.equal(Buffer.from((await store.get('baseline/traces.ingest/0/checkout'))!).toString(), 'p50=12ms', 'a value checkpointed on the other thread');
  t.equal(await store.get('baseline/traces.ingest/0/nothing'), undefined, 'an absent key');
  t.same((await store.list('baseline/')).sort(), ['baseline/traces.ingest/0/checkout', 'baseline/traces.ingest/1/cart']);
  t.equal((await store.list('baseline/', 1)).length, 1, 'the limit holds');
  const reads = await Promise.all(Array.from({ length: 50 }, (_, i) => store.get(i % 2 ? 'alerts/metrics.ingest/0/high_latency' : 'baseline/traces.ingest/1/cart')));
  t.ok(reads.every((r, i) => Buffer.from(r!).toString() === (i % 2 ? 'firing' : 'p50=3ms')), 'concurrent reads get their own answers');
  await t.rejects(store.put('baseline/x', 'y'), { name: 'PermanentError', message: /read-only/ });
  await t.rejects(store.batch([{ op: 'delete', key: 'baseline/traces.ingest/0/checkout' }]), { name: 'PermanentError' });
  t.ok(await store.get('baseline/traces.ingest/0/checkout'), 'nothing was written');
  t.same(await thread.shutdown(Date.now() + 5000), []);
  await t.rejects(store.get('baseline/traces.ingest/0/checkout'), { name: 'UnavailableError' }, 'not after it stopped');
  await store.close();
  await t.rejects(store.list(''), { name: 'PermanentError', message: /closed/ });
});
