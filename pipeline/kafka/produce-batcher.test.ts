/**
 * The produce batcher with a scripted sender: appends gather while a request is out and leave
 * together; a failure rejects only the appends of its own request, retryably; the waiting bound
 * refuses with QueueFullError.
 */
import t from 'tap';
import pino from 'pino';
import { CompressionTypes, type ProducerBatch } from 'kafkajs';
import { SelfMetrics } from '../telemetry.js';
import { ProduceBatcher } from './produce-batcher.js';
import type { BatchSender } from './fresh-producer.js';

/** A producer whose requests settle when the test says so. */
class ScriptedSender implements BatchSender {
  readonly requests: { values: string[]; settle: (err?: Error) => void }[] = [];
  sendBatch(batch: ProducerBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      const values = batch.topicMessages![0]!.messages.map((m) => String(m.value));
      this.requests.push({ values, settle: (err) => (err ? reject(err) : resolve()) });
    });
  }
}

const logger = pino({ level: 'silent' });
const options = { topic: 't', compression: CompressionTypes.None, maxRequestBytes: 1000, maxPendingBytes: 100, timeoutMs: 5000, log: 'traces.ingest' };
const msg = (v: string) => [{ value: v }];
const tick = () => new Promise((r) => setImmediate(r));

function outcome(p: Promise<void>): { state: string } {
  const o = { state: 'pending' };
  p.then(() => (o.state = 'ok'), (e: Error) => (o.state = e.name));
  return o;
}

t.test('appends gather behind the request in flight and leave together', async (t) => {
  const producer = new ScriptedSender();
  const b = new ProduceBatcher(producer, options, new SelfMetrics(), logger);
  const a = outcome(b.send(msg('a'), 10));
  const rest = [outcome(b.send(msg('b'), 10)), outcome(b.send(msg('c'), 10))];
  t.same(producer.requests.map((r) => r.values), [['a']], 'the first append leaves at once');
  producer.requests[0]!.settle();
  await tick();
  t.equal(a.state, 'ok');
  t.same(producer.requests.map((r) => r.values), [['a'], ['b', 'c']], 'the others leave as one request');
  t.same(rest.map((o) => o.state), ['pending', 'pending'], 'and resolve only when it is acknowledged');
  producer.requests[1]!.settle();
  await tick();
  t.same(rest.map((o) => o.state), ['ok', 'ok']);
  t.equal(b.pendingBytes, 0);
});

t.test('a failed request rejects its own appends, retryably, until a later one succeeds', async (t) => {
  const producer = new ScriptedSender();
  const b = new ProduceBatcher(producer, options, new SelfMetrics(), logger);
  const a = outcome(b.send(msg('a'), 10));
  const c = outcome(b.send(msg('b'), 10));
  producer.requests[0]!.settle(new Error('NOT_LEADER_FOR_PARTITION'));
  await tick();
  t.same([a.state, c.state], ['UnavailableError', 'pending'], 'only the failed request\'s appends are rejected');
  t.match(b.failing, /NOT_LEADER/);
  t.same(producer.requests[1]!.values, ['b'], 'the next request carries the rest');
  producer.requests[1]!.settle();
  await tick();
  t.equal(c.state, 'ok');
  t.equal(b.failing, undefined, 'a later success clears the failure');
});

t.test('the waiting bound refuses appends with QueueFullError', async (t) => {
  const producer = new ScriptedSender();
  const b = new ProduceBatcher(producer, options, new SelfMetrics(), logger);
  void b.send(msg('a'), 60);
  await t.rejects(b.send(msg('b'), 60), { name: 'QueueFullError' });
  producer.requests[0]!.settle();
  await tick();
  const c = outcome(b.send(msg('c'), 60));
  t.equal(producer.requests.length, 2, 'room again once the broker answered');
  producer.requests[1]!.settle();
  await tick();
  t.equal(c.state, 'ok');
});
