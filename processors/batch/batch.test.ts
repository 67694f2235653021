/** Batch processor: size and time triggers, max-size splits, end-to-end acknowledgement, shutdown. */
import t from 'tap';
import type { Consumer } from '../../pipeline/component.js';
import type { Payload } from '../../pdata/payload.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { randomSpans, spanNames } from '../processorhelper/test-support.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

/** A next consumer whose calls stay pending until the test settles them. */
class GatedConsumer implements Consumer {
  readonly calls: Array<{ payload: Payload; resolve: () => void; reject: (err: unknown) => void }> = [];
  consume(payload: Payload): Promise<void> {
    return new Promise((resolve, reject) => this.calls.push({ payload, resolve, reject }));
  }
}

/** Tracks whether a promise settled, without awaiting it. */
function watch(p: Promise<void>): { settled: () => boolean; promise: Promise<void> } {
  let done = false;
  const promise = p.finally(() => { done = true; });
  promise.catch(() => {});
  return { settled: () => done, promise };
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

function make(config: Record<string, unknown>, next: Consumer, metrics = new SelfMetrics()) {
  return factory.create(testSettings('batch/test', metrics), configSchema.parse(config), 'traces', next);
}

async function counter(metric: { get(): Promise<{ values: Array<{ value: number }> }> }): Promise<number> {
  return (await metric.get()).values.reduce((n, v) => n + v.value, 0);
}

t.test('a size trigger sends one batch holding every contributor', async (t) => {
  const next = new RecordingConsumer();
  const metrics = new SelfMetrics();
  const b = make({ send_batch_size: 10, timeout: '10s' }, next, metrics);
  await b.start(new NoopHost());
  await Promise.all([b.consume(randomSpans(4, 0)), b.consume(randomSpans(4, 4)), b.consume(randomSpans(4, 8))]);
  t.equal(next.received.length, 1, 'one batch');
  t.equal(next.received[0]!.itemCount, 12);
  t.same(spanNames(next.received), Array.from({ length: 12 }, (_, i) => `s${i}`), 'order kept');
  t.equal(await counter(metrics.batchSizeTrigger), 1);
  t.equal(await counter(metrics.batchTimeoutTrigger), 0);
  const labels = (await metrics.processorIncoming.get()).values[0]!.labels;
  t.same(labels, { processor: 'batch/test', pipeline: 'traces', otel_signal: 'traces' });
  t.equal(await counter(metrics.processorIncoming), 12);
  t.equal(await counter(metrics.processorOutgoing), 12);
  const hist = await metrics.batchSendSize.get();
  t.equal(hist.values.find((v) => v.metricName?.endsWith('_sum'))?.value, 12, 'send size observed');
  await b.shutdown(Date.now() + 1000);
});

t.test('the timeout sends a partial batch, counted from its first item', async (t) => {
  const next = new RecordingConsumer();
  const metrics = new SelfMetrics();
  const b = make({ send_batch_size: 1000, timeout: '60ms' }, next, metrics);
  const started = Date.now();
  const first = b.consume(randomSpans(3));
  await tick(20);
  const second = b.consume(randomSpans(2));
  await Promise.all([first, second]);
  const waited = Date.now() - started;
  t.ok(waited >= 55 && waited < 1000, `flushed after the timeout (${waited} ms)`);
  t.equal(next.received.length, 1);
  t.equal(next.items, 5);
  t.equal(await counter(metrics.batchTimeoutTrigger), 1);
  await b.shutdown(Date.now() + 1000);
});

t.test('send_batch_max_size splits batches and keeps every item exactly once, in order', async (t) => {
  const next = new RecordingConsumer();
  const b = make({ send_batch_size: 10, send_batch_max_size: 15, timeout: '10s' }, next);
  const sizes = [7, 30, 3, 12, 1, 40];
  let first = 0;
  const all = sizes.map((n) => { const p = b.consume(randomSpans(n, first)); first += n; return p; });
  await b.shutdown(Date.now() + 1000);
  await Promise.all(all);
  t.ok(next.received.every((p) => p.itemCount <= 15 && p.itemCount > 0), `every batch at most 15: ${next.received.map((p) => p.itemCount).join(',')}`);
  t.same(spanNames(next.received), Array.from({ length: first }, (_, i) => `s${i}`), 'each item once, in order');
  t.equal(next.items, first);
});

t.test('a payload bigger than the max is split even alone', async (t) => {
  const next = new RecordingConsumer();
  const b = make({ send_batch_size: 5, send_batch_max_size: 5, timeout: '10s' }, next);
  const whole = watch(b.consume(randomSpans(23)));
  await tick(5);
  t.same(next.received.map((p) => p.itemCount), [5, 5, 5, 5], 'full batches sent, the rest held');
  t.notOk(whole.settled(), 'not acknowledged while part of it is held');
  await b.shutdown(Date.now() + 1000);
  await whole.promise;
  t.same(next.received.map((p) => p.itemCount), [5, 5, 5, 5, 3]);
});

t.test('consume resolves only after the next consumer resolved', async (t) => {
  const next = new GatedConsumer();
  const b = make({ send_batch_size: 4, timeout: '10s' }, next);
  const a = watch(b.consume(randomSpans(2)));
  const c = watch(b.consume(randomSpans(2)));
  await tick(5);
  t.equal(next.calls.length, 1, 'sent');
  t.notOk(a.settled() || c.settled(), 'not acknowledged while the send is pending');
  next.calls[0]!.resolve();
  await Promise.all([a.promise, c.promise]);
  t.pass('acknowledged after next resolved');
});

t.test('a failed send rejects every contributor with the same error', async (t) => {
  const next = new GatedConsumer();
  const b = make({ send_batch_size: 4, send_batch_max_size: 4, timeout: '10s' }, next);
  const a = b.consume(randomSpans(3));
  const split = b.consume(randomSpans(3)); // 1 item in batch 1, 2 in batch 2
  const later = b.consume(randomSpans(2)); // completes batch 2
  await tick(5);
  t.equal(next.calls.length, 2);
  const boom = new Error('downstream down');
  next.calls[0]!.resolve();
  next.calls[1]!.reject(boom);
  await a;
  t.pass('contributor of the good batch only resolves');
  await t.rejects(split, boom, 'a payload with one part in the failed batch rejects');
  await t.rejects(later, boom);
  const err = await later.catch((e: unknown) => e);
  t.equal(err, boom, 'the very same error');
});

t.test('sending does not serialize: new data forms and sends the next batch meanwhile', async (t) => {
  const next = new GatedConsumer();
  const b = make({ send_batch_size: 2, timeout: '10s' }, next);
  const p1 = b.consume(randomSpans(2));
  const p2 = b.consume(randomSpans(2));
  const p3 = b.consume(randomSpans(2));
  await tick(5);
  t.equal(next.calls.length, 3, 'three sends in flight at once');
  for (const c of next.calls) c.resolve();
  await Promise.all([p1, p2, p3]);
});

t.test('timeout 0 sends at once', async (t) => {
  const next = new RecordingConsumer();
  const b = make({ timeout: '0' }, next);
  await b.consume(randomSpans(3));
  t.equal(next.items, 3);
  await b.shutdown(Date.now() + 1000);
});

t.test('shutdown flushes what is held and later data goes straight through', async (t) => {
  const next = new RecordingConsumer();
  const b = make({ timeout: '1h' }, next);
  await b.start(new NoopHost());
  const held = b.consume(randomSpans(5));
  await tick(5);
  t.equal(next.items, 0, 'held');
  const started = Date.now();
  await b.shutdown(Date.now() + 5000);
  t.ok(Date.now() - started < 1000, 'returns once sent');
  await held;
  t.equal(next.items, 5);
  await b.consume(randomSpans(1));
  t.equal(next.items, 6, 'sent immediately after shutdown');
});

t.test('shutdown stops waiting at the deadline', async (t) => {
  const next = new GatedConsumer();
  const b = make({ timeout: '1h' }, next);
  const held = watch(b.consume(randomSpans(2)));
  const started = Date.now();
  await b.shutdown(Date.now() + 100);
  const took = Date.now() - started;
  t.ok(took >= 90 && took < 3_000, `waited until the deadline (${took} ms)`);
  t.equal(next.calls.length, 1, 'flushed');
  t.notOk(held.settled(), 'not acknowledged: the send never finished');
  next.calls[0]!.resolve();
  await held.promise;
});
