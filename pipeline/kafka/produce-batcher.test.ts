/**
 * The produce batcher with a scripted sender: appends gather while a request is out and leave
 * together; a failure rejects only the appends of its own request, retryably; the waiting bound
 * refuses with QueueFullError; no request holds more than a record batch's worth per partition.
 */
import t from 'tap';
import pino from 'pino';
import { CompressionTypes, type Message, type ProducerBatch } from 'kafkajs';
import { SelfMetrics } from '../telemetry.js';
import { ProduceBatcher } from './produce-batcher.js';
import type { BatchSender } from './fresh-producer.js';

/** A producer whose requests settle when the test says so. */
class ScriptedSender implements BatchSender {
  readonly requests: { values: string[]; partitions: number[]; settle: (err?: Error) => void }[] = [];
  sendBatch(batch: ProducerBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      const messages = batch.topicMessages![0]!.messages;
      const values = messages.map((m) => String(m.value).replace(/\.+$/, ''));
      this.requests.push({ values, partitions: messages.map((m) => m.partition ?? -1), settle: (err) => (err ? reject(err) : resolve()) });
    });
  }
}

const logger = pino({ level: 'silent' });
const options = { topic: 't', compression: CompressionTypes.None, maxRequestBytes: 1000, maxPartitionBytes: 1000, maxPendingBytes: 100, timeoutMs: 5000, log: 'traces.ingest' };
/** A message whose value is `v` padded with dots to `bytes` bytes. */
const message = (v: string, bytes: number, partition?: number): Message => ({ value: Buffer.from(v.padEnd(bytes, '.')), ...(partition === undefined ? {} : { partition }) });
const msg = (v: string, bytes = 10): Message[] => [message(v, bytes)];
const tick = () => new Promise((r) => setImmediate(r));

function outcome(p: Promise<void>): { state: string } {
  const o = { state: 'pending' };
  p.then(() => (o.state = 'ok'), (e: Error) => (o.state = e.name));
  return o;
}

t.test('appends gather behind the request in flight and leave together', async (t) => {
  const producer = new ScriptedSender();
  const b = new ProduceBatcher([producer], options, new SelfMetrics(), logger);
  const a = outcome(b.send(msg('a')));
  const rest = [outcome(b.send(msg('b'))), outcome(b.send(msg('c')))];
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
  const b = new ProduceBatcher([producer], options, new SelfMetrics(), logger);
  const a = outcome(b.send(msg('a')));
  const c = outcome(b.send(msg('b')));
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
  const b = new ProduceBatcher([producer], options, new SelfMetrics(), logger);
  void b.send(msg('a', 60));
  await t.rejects(b.send(msg('b', 60)), { name: 'QueueFullError' });
  producer.requests[0]!.settle();
  await tick();
  const c = outcome(b.send(msg('c', 60)));
  t.equal(producer.requests.length, 2, 'room again once the broker answered');
  producer.requests[1]!.settle();
  await tick();
  t.equal(c.state, 'ok');
});

t.test('no request carries more than maxPartitionBytes for one partition; a larger append leaves over several', async (t) => {
  const producer = new ScriptedSender();
  const b = new ProduceBatcher([producer], { ...options, maxPartitionBytes: 300, maxPendingBytes: 10_000 }, new SelfMetrics(), logger);
  // 200 value bytes + 32 overhead per record: one fits a partition's 300, two do not.
  const big = outcome(b.send([message('a1', 200, 0), message('a2', 200, 0), message('a3', 200, 1)]));
  const small = outcome(b.send([message('b', 20, 1)]));
  t.same(producer.requests.map((r) => r.values), [['a1']], 'the first message leaves alone (nothing was in flight)');
  producer.requests[0]!.settle();
  await tick();
  t.same(producer.requests[1]!.values, ['a2', 'a3', 'b'], 'then a2 and a3 on different partitions, and b, which still fits partition 1');
  t.equal(big.state, 'pending', 'an append resolves only when its last message is acknowledged');
  producer.requests[1]!.settle();
  await tick();
  t.same([big.state, small.state], ['ok', 'ok']);
  t.equal(b.pendingBytes, 0);
});

t.test('messages without a partition count as one partition, since the partitioner may put them on one', async (t) => {
  const producer = new ScriptedSender();
  const b = new ProduceBatcher([producer], { ...options, maxPartitionBytes: 300, maxPendingBytes: 10_000 }, new SelfMetrics(), logger);
  const x = outcome(b.send(msg('x', 5)));
  const k = outcome(b.send([message('k1', 200), message('k2', 200)]));
  producer.requests[0]!.settle();
  await tick();
  producer.requests[1]!.settle();
  await tick();
  producer.requests[2]!.settle();
  await tick();
  t.same(producer.requests.map((r) => r.values), [['x'], ['k1'], ['k2']]);
  t.same([x.state, k.state], ['ok', 'ok']);
});

t.test('with two producers, two requests are out at once, one on each; the rest gather behind them', async (t) => {
  const lanes = [new ScriptedSender(), new ScriptedSender()];
  const b = new ProduceBatcher(lanes, options, new SelfMetrics(), logger);
  const all = ['a', 'b', 'c', 'd'].map((v) => outcome(b.send(msg(v))));
  t.same(lanes.map((l) => l.requests.map((r) => r.values)), [[['a']], [['b']]], 'a and b leave at once, on different producers');
  lanes[1]!.requests[0]!.settle();
  await tick();
  t.same(lanes[1]!.requests.map((r) => r.values), [['b'], ['c', 'd']], 'c and d leave together on the producer that came back');
  t.same(all.map((o) => o.state), ['pending', 'ok', 'pending', 'pending']);
  lanes[0]!.requests[0]!.settle();
  lanes[1]!.requests[1]!.settle();
  await tick();
  t.same(all.map((o) => o.state), ['ok', 'ok', 'ok', 'ok']);
  t.equal(b.pendingBytes, 0);
});
