/** The main thread's handle on a forwarding thread, against a real worker running the real protocol. */
import { pino } from 'pino';
import t from 'tap';
import { SelfMetrics } from '../telemetry.js';
import { ForwardThread } from './forward-thread.js';

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
