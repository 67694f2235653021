import t from 'tap';
import { PermanentError, RetryableError } from '../../pipeline/errors.js';
import { Backoff } from '../../pipeline/backoff.js';
import { BurstLog } from '../../pipeline/burst-log.js';
import { backoffOf, queueSchema, retrySchema } from './config.js';
import { createSender, type SendFn } from './sender.js';
import { capturedSettings, issueOf, metricValue, samplePayload } from './test-support.js';
import { parseRetryAfter, parseRpcStatus } from './throttle.js';
import { encodeStatus } from '../../pdata/index.js';

t.test('backoff: otelcol defaults, jitter bounds, growth capped at max_interval', async (t) => {
  const retry = retrySchema.parse({});
  t.match(retry, { enabled: true, initial_interval: 5000, randomization_factor: 0.5, multiplier: 1.5, max_interval: 30000, max_elapsed_time: 300000 });
  const lows = new Backoff(backoffOf(retry), () => 0, () => 0);
  const highs = new Backoff(backoffOf(retry), () => 0, () => 0.999999);
  const mids = new Backoff(backoffOf(retry), () => 0, () => 0.5);
  const expected = [5000, 7500, 11250, 16875, 25312.5, 30000, 30000];
  for (const interval of expected) {
    t.equal(lows.nextDelay(), Math.round(interval * 0.5), `low end of ${interval}`);
    t.ok(Math.abs(highs.nextDelay() - interval * 1.5) <= 1, `high end of ${interval}`);
    t.equal(mids.nextDelay(), Math.round(interval), `middle of ${interval}`);
  }
});

t.test('backoff: max_elapsed_time with a fake clock; 0 means forever', async (t) => {
  let now = 1000;
  const b = new Backoff(backoffOf(retrySchema.parse({ max_elapsed_time: '10s' })), () => now);
  t.notOk(b.exceeds(9000));
  now += 5000;
  t.ok(b.exceeds(5001), 'past 10s');
  t.notOk(b.exceeds(5000));
  const forever = new Backoff(backoffOf(retrySchema.parse({ max_elapsed_time: '0' })), () => now);
  now += 1e9;
  t.notOk(forever.exceeds(1e9));
});

t.test('Retry-After and google.rpc.Status parsing', async (t) => {
  t.equal(parseRetryAfter('3'), 3000);
  t.equal(parseRetryAfter(' 0 '), 0);
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  t.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now), 5000);
  t.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0, 'a date in the past means now');
  t.equal(parseRetryAfter('soon'), undefined);
  t.equal(parseRetryAfter(undefined), undefined);
  t.same(parseRpcStatus(encodeStatus(8, 'slow down', 1500)), { code: 8, message: 'slow down', retryDelayMs: 1500 });
  t.same(parseRpcStatus(encodeStatus(14, 'busy')), { code: 14, message: 'busy' });
  t.equal(parseRpcStatus(Buffer.from([0x0a, 0x50])), undefined, 'truncated');
});

t.test('config rules', async (t) => {
  t.equal(issueOf(retrySchema, { multiplier: 0.5 }), 'multiplier: must be at least 1');
  t.equal(issueOf(retrySchema, { initial_interval: '1m', max_interval: '10s' }), 'max_interval: must not be less than initial_interval');
  t.equal(issueOf(retrySchema, { initial_interval: 'soon' }), 'initial_interval: expected a duration like "10s", got "soon"');
  t.equal(issueOf(queueSchema, { queue_size: 0 }), 'queue_size: must be at least 1');
  t.match(issueOf(queueSchema, { storage: 'file_storage' }), /Unrecognized key: "storage"/);
  t.equal(issueOf(queueSchema, { sizer: 'items' }), 'sizer: only "requests" is supported: the queue counts export requests');
});

const fast = retrySchema.parse({ initial_interval: '10ms', max_interval: '40ms', max_elapsed_time: '2s' });
const queue = queueSchema.parse({});

function sender(send: SendFn, overrides: Partial<Parameters<typeof createSender>[0]> = {}) {
  const { settings, lines } = capturedSettings('otlp/test', 'warn');
  return { s: createSender({ settings, retry: fast, queue, timeoutMs: 1000, send, ...overrides }), settings, lines };
}

t.test('retries retryable errors, then succeeds; sent counted once', async (t) => {
  let n = 0;
  const { s, settings } = sender(async () => { if (++n < 3) throw new RetryableError('busy'); });
  await s.consume(await samplePayload('traces', 2));
  t.equal(n, 3);
  t.equal(await metricValue(settings, 'otelcol_exporter_sent_spans_total'), 2);
  t.equal(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total'), 0);
});

t.test('a retryAfterMs hint overrides the computed delay', async (t) => {
  const at: number[] = [];
  const { s } = sender(async () => { at.push(Date.now()); if (at.length === 1) throw new RetryableError('later', 250); },
    { retry: retrySchema.parse({ initial_interval: '10ms' }) });
  await s.consume(await samplePayload('traces', 1));
  t.ok(at[1]! - at[0]! >= 245, `waited the hint (${at[1]! - at[0]!} ms)`);
});

t.test('exhausted retries drop the data: PermanentError, failed counted, one log line per burst', async (t) => {
  let n = 0;
  const { s, settings, lines } = sender(async () => { n++; throw new Error('connection reset'); },
    { retry: retrySchema.parse({ initial_interval: '10ms', max_interval: '10ms', max_elapsed_time: '60ms' }) });
  await t.rejects(s.consume(await samplePayload('traces', 3)), { name: 'PermanentError', message: /retries exhausted after \d+ attempts.*connection reset/ });
  t.ok(n >= 3 && n <= 8, `attempted ${n} times within max_elapsed_time`);
  await t.rejects(s.consume(await samplePayload('traces', 3)), PermanentError);
  t.equal(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total'), 6);
  t.equal(lines.length, 1, 'logged once for the burst');
});

t.test('a PermanentError is not retried', async (t) => {
  let n = 0;
  const { s } = sender(async () => { n++; throw new PermanentError('bad data'); });
  await t.rejects(s.consume(await samplePayload('logs', 1)), { name: 'PermanentError', message: 'bad data' });
  t.equal(n, 1);
});

t.test('num_consumers bounds concurrency; queue_size bounds waiting batches', async (t) => {
  let active = 0;
  let peak = 0;
  const release: Array<() => void> = [];
  const { s, settings } = sender(() => new Promise<void>((r) => { active++; peak = Math.max(peak, active); release.push(() => { active--; r(); }); }),
    { queue: queueSchema.parse({ num_consumers: 2, queue_size: 3 }) });
  const p = await samplePayload('traces', 1);
  const all = Array.from({ length: 5 }, () => s.consume(p));
  await t.rejects(s.consume(p), { name: 'QueueFullError' });
  t.equal(await metricValue(settings, 'otelcol_exporter_queue_size'), 3);
  for (let done = 0; done < 5;) {
    await new Promise((r) => setTimeout(r, 2));
    const next = release.shift();
    if (next) { next(); done++; }
  }
  await Promise.all(all);
  t.equal(peak, 2);
  t.equal(await metricValue(settings, 'otelcol_exporter_queue_size'), 0);
});

t.test('shutdown: a batch waiting to retry is handed back as retryable at once', async (t) => {
  const { s } = sender(async () => { throw new RetryableError('down', 60_000); }, { retry: retrySchema.parse({ max_elapsed_time: '0' }) });
  const pending = s.consume(await samplePayload('traces', 1));
  pending.catch(() => {});
  await new Promise((r) => setTimeout(r, 20));
  const start = Date.now();
  await s.shutdown(Date.now() + 5000);
  t.ok(Date.now() - start < 200, 'did not wait for the retry');
  await t.rejects(pending, { name: 'UnavailableError' });
  await t.rejects(s.consume(await samplePayload('traces', 1)), { name: 'ShuttingDownError', message: /shutting down/ });
});

t.test('shutdown lets an in-flight send finish before the deadline', async (t) => {
  const { s, settings } = sender(() => new Promise((r) => setTimeout(r, 100)));
  const pending = s.consume(await samplePayload('traces', 1));
  await s.shutdown(Date.now() + 2000);
  await pending;
  t.equal(await metricValue(settings, 'otelcol_exporter_sent_spans_total'), 1);
});

t.test('a send that ignores its abort signal still times out', async (t) => {
  const { s } = sender(() => new Promise(() => {}), { timeoutMs: 50, retry: retrySchema.parse({ enabled: false }) });
  await t.rejects(s.consume(await samplePayload('traces', 1)), { message: /timed out after 50ms/ });
});

t.test('burst log: once per window, then with the suppressed count', async (t) => {
  const { settings, lines } = capturedSettings('x', 'warn');
  let now = 0;
  const b = new BurstLog(settings.logger, () => now);
  b.warn({}, 'a');
  b.warn({}, 'a');
  b.warn({}, 'a');
  now = 10_001;
  b.warn({}, 'a');
  await new Promise((r) => setImmediate(r));
  t.equal(lines.length, 2);
  t.equal(lines[1]!.suppressed, 2);
});

t.test('a throttle hint past max_elapsed_time drops the data instead of waiting', async (t) => {
  let n = 0;
  const { s } = sender(async () => { n++; throw new RetryableError('come back in a minute', 60_000); });
  const start = Date.now();
  await t.rejects(s.consume(await samplePayload('traces', 1)), { name: 'PermanentError', message: /retries exhausted after 1 attempts/ });
  t.equal(n, 1);
  t.ok(Date.now() - start < 500);
});
