/** The group consumer against the shared broker: commit order, poison, retries, the window, stop, rebalances. */
import t, { type Test } from 'tap';
import { PermanentError, RetryableError } from '../errors.js';
import { committed, createTopic, eventually, produce, unique } from '../../test/kafka.js';
import { kafkaAvailable, requireService } from '../../test/services.js';
import { testSettings } from '../../test/doubles.js';
import { createKafka } from './client.js';
import { GroupConsumer, type ConsumedRecord, type GroupConsumerOptions, type RecordHandler, type TopicPartitions } from './group-consumer.js';

const up = await kafkaAvailable();

/** A started consumer of a fresh topic and group, stopped at the end of the test. */
async function consumer(t: Test, topic: string, handler: RecordHandler, extra: Partial<GroupConsumerOptions> = {}) {
  const settings = testSettings('gc');
  const groupId = extra.groupId ?? unique('vigil-gc');
  const c = new GroupConsumer({
    kafka: createKafka({ brokers: ['localhost:9092'], client_id: 'vigil-gc-test' }, settings.logger),
    groupId, topics: [topic], handler, logger: settings.logger, metrics: settings.metrics, name: 'gc',
    fromBeginning: true, heartbeatIntervalMs: 300, sessionTimeoutMs: 6000, retry: { initialMs: 20, maxMs: 100 },
    ...extra,
  });
  await c.start();
  t.teardown(() => c.stop(Date.now() + 1000));
  return { c, groupId, settings };
}

const values = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ value: `r${from + i}` }));
/** Distinct items in arrival order: a fresh group may rebalance once and redeliver what it had not committed. */
const distinct = (xs: readonly string[]) => [...new Set(xs)];
const metric = async (c: { settings: ReturnType<typeof testSettings> }, name: string) =>
  (await c.settings.metrics.registry.getSingleMetric(name)?.get())?.values.reduce((n, v) => n + v.value, 0) ?? 0;

t.test('commits only the finished prefix of a partition', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-gc-prefix');
  await createTopic(t, topic);
  await produce(topic, values(6));
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  const seen: string[] = [];
  const { c, groupId } = await consumer(t, topic, async (r) => {
    seen.push(r.value.toString());
    if (r.offset === '2') await held;
  });
  t.ok(await eventually(() => distinct(seen).length === 6), 'all six dispatched while record 2 is in flight');
  await c.commit();
  t.same(await committed(groupId, topic), [2], 'committed up to the unfinished record, not past it');
  release();
  t.ok(await eventually(async () => { await c.commit(); return (await committed(groupId, topic))[0] === 6; }), 'then all six');
});

t.test('poison: skipped, counted and committed past; the good records around it are delivered', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-gc-poison');
  await createTopic(t, topic);
  await produce(topic, [{ value: 'good-1' }, { value: 'poison' }, { value: 'good-2' }]);
  const delivered: string[] = [];
  const gc = await consumer(t, topic, async (r) => {
    if (r.value.toString() === 'poison') throw new PermanentError('does not decode');
    delivered.push(r.value.toString());
  });
  t.ok(await eventually(() => distinct(delivered).length === 2));
  t.same(distinct(delivered), ['good-1', 'good-2']);
  t.ok(await eventually(async () => { await gc.c.commit(); return (await committed(gc.groupId, topic))[0] === 3; }), 'committed past the poison');
  t.equal(await metric(gc, 'vigil_kafka_consumer_skipped_records_total'), 1);
});

t.test('retryable failures are retried until they succeed, never skipped or committed early', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-gc-retry');
  await createTopic(t, topic);
  await produce(topic, values(3));
  let failures = 0;
  const ok: string[] = [];
  const gc = await consumer(t, topic, async (r) => {
    if (r.offset === '1' && failures < 4) { failures++; throw new RetryableError('downstream busy'); }
    ok.push(r.value.toString());
  });
  t.ok(await eventually(() => failures >= 2));
  await gc.c.commit();
  t.ok((await committed(gc.groupId, topic))[0]! <= 1, 'not committed past the failing record while it fails');
  t.ok(await eventually(() => distinct(ok).length === 3));
  t.same(distinct(ok).sort(), ['r0', 'r1', 'r2']);
  t.equal(failures, 4);
  t.equal(await metric(gc, 'vigil_kafka_consumer_retried_records_total'), 4);
  t.ok(await eventually(async () => { await gc.c.commit(); return (await committed(gc.groupId, topic))[0] === 3; }));
});

t.test('at most maxInFlightPerPartition records in flight; the rest follow as they finish', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-gc-window');
  await createTopic(t, topic);
  await produce(topic, values(10));
  const waiting: Array<() => void> = [];
  let handled = 0;
  let maxSeen = 0;
  const gc = await consumer(t, topic, async () => {
    maxSeen = Math.max(maxSeen, waiting.length + 1);
    await new Promise<void>((r) => waiting.push(r));
    handled++;
  }, { maxInFlightPerPartition: 3 });
  t.ok(await eventually(() => waiting.length === 3));
  await new Promise((r) => setTimeout(r, 300));
  t.equal(waiting.length, 3, 'the window stays at 3 while none finishes');
  const releaser = setInterval(() => waiting.shift()?.(), 10);
  t.teardown(() => clearInterval(releaser));
  t.ok(await eventually(() => handled >= 10), 'all ten handled');
  t.equal(maxSeen, 3);
  t.ok(await eventually(async () => { await gc.c.commit(); return (await committed(gc.groupId, topic))[0] === 10; }));
});

t.test('stop: what did not finish by the deadline is redelivered to the next member', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-gc-stop');
  await createTopic(t, topic);
  await produce(topic, values(5));
  const groupId = unique('vigil-gc-stop');
  const first: string[] = [];
  const gc = await consumer(t, topic, async (r: ConsumedRecord) => {
    if (r.offset === '3') await new Promise(() => {}); // never finishes
    first.push(r.offset);
  }, { groupId });
  t.ok(await eventually(() => distinct(first).length === 4));
  const started = Date.now();
  await gc.c.stop(Date.now() + 300);
  t.ok(Date.now() - started < 5000, 'stop returned');
  t.same(await committed(groupId, topic), [3], 'committed the finished prefix on stop');
  const second: string[] = [];
  await consumer(t, topic, async (r) => { second.push(r.offset); }, { groupId });
  t.ok(await eventually(() => distinct(second).length === 2));
  t.same(distinct(second), ['3', '4'], 'the next member starts at the first unfinished record');
});

t.test('assigned and revoked follow the group', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-gc-rebalance');
  await createTopic(t, topic, 2);
  const groupId = unique('vigil-gc-rebalance');
  const events: Array<{ who: string; what: string; partitions: number[] }> = [];
  const hooks = (who: string) => ({
    assigned: (p: TopicPartitions[]) => { events.push({ who, what: 'assigned', partitions: p.flatMap((x) => x.partitions) }); },
    revoked: (p: TopicPartitions[]) => { events.push({ who, what: 'revoked', partitions: p.flatMap((x) => x.partitions) }); },
  });
  const a = await consumer(t, topic, async () => {}, { groupId, hooks: hooks('a') });
  t.ok(await eventually(() => events.length === 1));
  t.same(events[0], { who: 'a', what: 'assigned', partitions: [0, 1] });
  const b = await consumer(t, topic, async () => {}, { groupId, hooks: hooks('b') });
  t.ok(await eventually(() => events.some((e) => e.who === 'b' && e.what === 'assigned') && events.some((e) => e.who === 'a' && e.what === 'revoked'), 20_000),
    'b got a partition, a gave one up');
  const aRevoked = events.find((e) => e.who === 'a' && e.what === 'revoked');
  const bAssigned = events.find((e) => e.who === 'b' && e.what === 'assigned');
  t.equal(aRevoked?.partitions.length, 1, 'a lost one partition');
  t.same(bAssigned?.partitions, aRevoked?.partitions, 'b got the one a lost');
  t.equal(await metric(a, 'vigil_kafka_consumer_rebalances_total'), 1);
  await b.c.stop(Date.now() + 1000);
  t.same(events.filter((e) => e.who === 'b').at(-1), { who: 'b', what: 'revoked', partitions: bAssigned?.partitions }, 'stop revokes everything');
});

t.test('held records leave the in-flight window but hold the commit point until released', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-gc-hold');
  await createTopic(t, topic);
  await produce(topic, values(20));
  const holds = new Map<number, { release(): void }>();
  const { c, groupId } = await consumer(t, topic, async (r, hold) => { holds.set(Number(r.offset), hold()); }, { maxInFlightPerPartition: 2 });
  t.ok(await eventually(() => holds.size === 20), 'all twenty delivered through a window of two: held records do not fill it');
  await c.commit();
  t.same(await committed(groupId, topic), [-1], 'nothing committed while everything is held');
  for (let offset = 0; offset < 5; offset++) holds.get(offset)!.release();
  t.ok(await eventually(async () => { await c.commit(); return (await committed(groupId, topic))[0] === 5; }), 'committed over the released prefix only');
  holds.get(10)!.release();
  await c.commit();
  t.same(await committed(groupId, topic), [5], 'a release past a held record commits nothing more');
  for (const h of holds.values()) h.release();
  t.ok(await eventually(async () => { await c.commit(); return (await committed(groupId, topic))[0] === 20; }));
});

t.test('stop revokes while records are held; what the holder drops stays uncommitted, what it flushes is committed', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-gc-hold-stop');
  await createTopic(t, topic);
  await produce(topic, values(6));
  const holds = new Map<string, { release(): void }>();
  let revokedWith = 0;
  const { c, groupId } = await consumer(t, topic, async (r, hold) => { holds.set(r.offset, hold()); }, {
    hooks: {
      revoked: () => {
        revokedWith = holds.size;
        for (const offset of ['0', '1', '2']) holds.get(offset)!.release(); // flushed; 3..5 dropped
      },
    },
  });
  t.ok(await eventually(() => holds.size === 6));
  await c.stop(Date.now() + 3000);
  t.equal(revokedWith, 6, 'revoked with every record still held');
  t.same(await committed(groupId, topic), [3], 'the flushed prefix is committed, the dropped rest will be read again');
});
