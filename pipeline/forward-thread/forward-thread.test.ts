/** The main thread's handle on a forwarding thread, against a real worker running the real protocol. */
import { pino } from 'pino';
import t from 'tap';
import { SelfMetrics } from '../telemetry.js';
import { ForwardThread } from './forward-thread.js';
import { mainThreadStateStore } from './main-thread-store.js';

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
