/**
 * span_metrics on the Kafka queue, in-process: per-partition aggregates checkpointed with their
 * offset, reloaded by the next owner, counting each record once, holding records until counted in
 * a saved checkpoint. The real-broker version is test/integration/span-metrics-kafka.test.ts.
 */
import t from 'tap';
import type { Delivery } from '../../pipeline/delivery.js';
import { toJson, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { configSchema } from './config.js';
import { SpanMetricsConnector } from './connector.js';
import { pointsOf, type Point } from './series-view.test-helpers.js';
import { makeTraffic, trafficPayload } from './traffic.test-helpers.js';

const LOG = 'traces.ingest';

/** A durable delivery that counts its holds. */
function delivery(partition: number, offset: number): Delivery & { held: number; released: number } {
  const d = {
    log: LOG, partition, offset: BigInt(offset), durable: true, held: 0, released: 0,
    hold: () => {
      d.held++;
      let done = false;
      return { release: () => { if (!done) { done = true; d.released++; } } };
    },
  };
  return d;
}

function connector(host: NoopHost, config: Record<string, unknown> = {}) {
  const next = new RecordingConsumer();
  const clock = { ms: 1_800_000_000_000 };
  const c = new SpanMetricsConnector(testSettings('span_metrics'), configSchema.parse({ checkpoint_interval: '1h', metrics_flush_interval: '1h', ...config }), next, () => clock.ms);
  return { c, next, clock };
}

const points = (payloads: readonly Payload[]): Point[] => pointsOf(payloads.map((p) => JSON.parse(toJson(p)) as Record<string, unknown>));
const calls = (ps: Point[]): Point[] => ps.filter((p) => p.metric === 'traces.span.metrics.calls');
const total = (ps: Point[]): number => ps.reduce((n, p) => n + p.value, 0);

const traffic = trafficPayload(makeTraffic(40));

/** The calls total of `traffic` counted once, by a connector on the memory queue (no delivery). */
async function countedOnce(): Promise<number> {
  const { c, next, clock } = connector(new NoopHost());
  await c.consume(traffic);
  await c.flushNow();
  clock.ms += 1000;
  await c.flushNow();
  await c.shutdown();
  return total(calls(points(next.received.slice(-1))));
}

t.test('a partition\'s aggregate is its own series (collector.instance.id = log#partition), checkpointed, and continued by the next owner', async (t) => {
  const host = new NoopHost();
  await host.store.start();
  const a = connector(host);
  await a.c.start(host);
  const d0 = delivery(3, 100);
  await a.c.consume(traffic, d0);
  t.equal(d0.held, 1, 'the record is held until a checkpoint counts it');
  t.equal(d0.released, 0);
  await a.c.flushNow(); // first flush: cumulative series read 0, then the checkpoint
  t.equal(d0.released, 1, 'released once the checkpoint was saved');
  a.clock.ms += 1000;
  await a.c.flushNow();
  const before = calls(points(a.next.received.slice(-1)));
  t.ok(before.length > 0);
  t.ok(before.every((p) => p.attributes['collector.instance.id'] === `${LOG}#3`), 'the partition, not the process, writes the series');
  const counted = total(before);
  t.equal(counted, await countedOnce(), 'the totals count the record once');
  await a.c.partitionsRevoked(LOG, [3], { redelivered: true });
  await a.c.shutdown();

  // The next owner: same store. A redelivery of offset 100 is skipped; offset 101 is new.
  const b = connector(host);
  await b.c.start(host);
  const again = delivery(3, 100);
  await b.c.consume(traffic, again);
  t.equal(again.held, 0, 'a record at or below the checkpointed offset is neither counted nor held');
  await b.c.consume(traffic, delivery(3, 101));
  b.clock.ms = a.clock.ms + 1000;
  await b.c.flushNow();
  const after = calls(points(b.next.received.slice(-1)));
  t.equal(total(after), counted * 2, 'the series continue from the checkpoint: the old totals plus the new record, once');
  const startOf = new Map(before.map((p) => [JSON.stringify(p.attributes), p.start]));
  t.ok(after.every((p) => startOf.get(JSON.stringify(p.attributes)) === p.start), 'same start times: no reset seen downstream');
  t.ok(after.every((p) => p.value !== 0), 'restored series are not reported as new (0) again');
  await b.c.shutdown();
  await host.store.close();
});

t.test('a flush is checkpointed too: the next owner does not report a series as new (0) again', async (t) => {
  const host = new NoopHost();
  await host.store.start();
  const a = connector(host);
  await a.c.start(host);
  await a.c.consume(traffic, delivery(2, 1));
  await a.c.checkpointNow(); // saved while every series is still unreported
  await a.c.flushNow(); // reports them (as 0), which the checkpoint must learn
  await a.c.partitionsRevoked(LOG, [2], { redelivered: true });
  const b = connector(host);
  await b.c.start(host);
  await b.c.partitionsAssigned(LOG, [2]);
  await b.c.consume(traffic, delivery(2, 2)); // opens the partition (the memory store is not durable, so assignment does not)
  b.clock.ms += 1000;
  await b.c.flushNow();
  const after = calls(points(b.next.received));
  t.ok(after.length > 0);
  t.same(after.filter((p) => p.value === 0).map((p) => p.attributes['span.name']), [], 'no restored series reads 0');
  await a.c.shutdown();
  await b.c.shutdown();
  await host.store.close();
});

t.test('a record counted but not yet checkpointed is held again when redelivered', async (t) => {
  const host = new NoopHost();
  await host.store.start();
  const { c, next, clock } = connector(host);
  await c.start(host);
  await c.consume(traffic, delivery(0, 5));
  const retry = delivery(0, 5); // a sibling consumer failed: the whole delivery comes again
  await c.consume(traffic, retry);
  t.equal(retry.held, 1, 'held, so the commit cannot pass it before the checkpoint');
  await c.checkpointNow();
  t.equal(retry.released, 1);
  clock.ms += 1000;
  await c.flushNow();
  clock.ms += 1000;
  await c.flushNow();
  t.equal(total(calls(points(next.received.slice(-1)))), await countedOnce(), 'counted once');
  await c.shutdown();
  await host.store.close();
});

t.test('a failed checkpoint keeps its holds for the next one', async (t) => {
  const host = new NoopHost();
  await host.store.start();
  const { c } = connector(host);
  await c.start(host);
  const d = delivery(1, 7);
  await c.consume(traffic, d);
  const save = host.store.batch.bind(host.store);
  host.store.batch = () => Promise.reject(new Error('store down'));
  await c.checkpointNow();
  t.equal(d.released, 0, 'not released while the checkpoint is not saved');
  host.store.batch = save;
  await c.checkpointNow();
  t.equal(d.released, 1, 'released by the next checkpoint that is saved');
  await c.shutdown();
  await host.store.close();
});

t.test('exponential histograms, delta temporality and exemplars survive the checkpoint', async (t) => {
  for (const config of [
    { histogram: { exponential: { max_size: 20 } }, exemplars: { enabled: true } },
    { aggregation_temporality: 'AGGREGATION_TEMPORALITY_DELTA', histogram: { explicit: { buckets: ['10ms', '100ms', '1s'] } } },
  ]) {
    const host = new NoopHost();
    await host.store.start();
    // Reference: one owner counts both records.
    const refHost = new NoopHost();
    await refHost.store.start();
    const one = connector(refHost, config);
    await one.c.start(refHost);
    await one.c.consume(traffic, delivery(0, 1));
    await one.c.consume(traffic, delivery(0, 2));
    one.clock.ms += 1000;
    await one.c.flushNow();
    // Split: the first owner counts record 1, checkpoints, is revoked; the second counts record 2.
    const a = connector(host, config);
    await a.c.start(host);
    await a.c.consume(traffic, delivery(0, 1));
    await a.c.partitionsRevoked(LOG, [0], { redelivered: true });
    const b = connector(host, config);
    await b.c.start(host);
    await b.c.consume(traffic, delivery(0, 1));
    await b.c.consume(traffic, delivery(0, 2));
    b.clock.ms = one.clock.ms;
    await b.c.flushNow();
    const strip = (ps: Point[]): string[] => ps.map((p) => JSON.stringify({ ...p, start: undefined }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();
    t.same(strip(points(b.next.received)), strip(points(one.next.received)), `${JSON.stringify(config)}: the same points as one owner`);
    for (const x of [one, a, b]) await x.c.shutdown();
    await host.store.close();
    await refHost.store.close();
  }
});
