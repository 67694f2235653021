/** memory_limiter: refusing above the soft limit (at admission), recovering, passing accepted data through. */
import t from 'tap';
import { pino } from 'pino';
import { MemoryLimitError, UnavailableError } from '../../pipeline/errors.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { randomSpans } from '../processorhelper/test-support.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';
import { createMemoryLimiter } from './memory-limiter.js';

await factory.load?.(); // the implementation, as the service loads it before building

const MIB = 1024 * 1024;

function make(rss: { value: number }, gc?: () => void) {
  const metrics = new SelfMetrics();
  const next = new RecordingConsumer();
  const config = configSchema.parse({ check_interval: '1s', limit_mib: 100, spike_limit_mib: 20 });
  const p = createMemoryLimiter(testSettings('memory_limiter', metrics), config, 'traces', next, { readRss: () => rss.value, gc: gc ?? (() => {}) });
  return { p, next, metrics };
}

t.test('refuses above the soft limit with a retryable error, and recovers', async (t) => {
  const rss = { value: 50 * MIB };
  const { p, next, metrics } = make(rss);
  await p.start(new NoopHost());
  t.doesNotThrow(() => p.admit!(randomSpans(3)), 'below the soft limit: admitted');

  rss.value = 85 * MIB; // soft limit 80, hard 100
  p.limiter.check();
  t.ok(p.limiter.isRefusing);
  let err: unknown;
  try { p.admit!(randomSpans(3)); } catch (e) { err = e; }
  t.ok(err instanceof MemoryLimitError && err instanceof UnavailableError, 'MemoryLimitError, an UnavailableError (retryable)');
  t.equal((err as UnavailableError).retryAfterMs, 1000, 'retry after one check interval');
  t.match((err as Error).message, /soft limit of 80 MiB/);
  const refused = (await metrics.processorRefused.get()).values;
  t.equal(refused[0]?.value, 3, 'refused items counted');
  t.same(refused[0]?.labels, { processor: 'memory_limiter', pipeline: 'traces', otel_signal: 'traces' });

  await p.consume(randomSpans(4));
  t.equal(next.items, 4, 'data already accepted passes through while refusing');

  rss.value = 70 * MIB;
  p.limiter.check();
  t.notOk(p.limiter.isRefusing, 'recovered');
  t.doesNotThrow(() => p.admit!(randomSpans(1)));
  await p.shutdown(Date.now() + 1000);
});

t.test('above the hard limit a GC is forced and the state follows the measurement after it', async (t) => {
  const rss = { value: 120 * MIB };
  let gcs = 0;
  const { p } = make(rss, () => { gcs++; rss.value = 60 * MIB; });
  p.limiter.check();
  t.equal(gcs, 1, 'gc called');
  t.notOk(p.limiter.isRefusing, 'memory freed by the GC: not refusing');

  const stuck = { value: 120 * MIB };
  let stuckGcs = 0;
  const s = make(stuck, () => { stuckGcs++; });
  s.p.limiter.check();
  s.p.limiter.check();
  t.equal(stuckGcs, 2, 'hard limit: a GC at every check (min_gc_interval_when_hard_limited 0)');
  t.ok(s.p.limiter.isRefusing);
});

t.test('the check runs on its timer once started, and stops at shutdown', async (t) => {
  const rss = { value: 10 * MIB };
  const metrics = new SelfMetrics();
  const config = configSchema.parse({ check_interval: '20ms', limit_mib: 100 });
  const p = createMemoryLimiter(testSettings('memory_limiter', metrics), config, 'logs', new RecordingConsumer(), { readRss: () => rss.value, gc: () => {} });
  await p.start(new NoopHost());
  rss.value = 90 * MIB;
  await new Promise((r) => setTimeout(r, 80));
  t.ok(p.limiter.isRefusing, 'noticed by the periodic check');
  await p.shutdown(Date.now() + 1000);
  rss.value = 10 * MIB;
  await new Promise((r) => setTimeout(r, 60));
  t.ok(p.limiter.isRefusing, 'no checks after shutdown');
});

t.test('the real RSS reader works with a real limit', async (t) => {
  const config = configSchema.parse({ check_interval: '1s', limit_mib: 1 });
  const p = createMemoryLimiter(testSettings('memory_limiter'), config, 'traces', new RecordingConsumer());
  await p.start(new NoopHost());
  t.ok(p.limiter.isRefusing, 'a node process uses more than 1 MiB');
  t.throws(() => p.admit!(randomSpans(1)), MemoryLimitError);
  await p.shutdown(Date.now() + 1000);
});

t.test('the incomplete default config cannot build a limiter that would refuse everything', async (t) => {
  t.throws(() => factory.create(testSettings('memory_limiter'), factory.createDefaultConfig(), 'traces', new RecordingConsumer()),
    /check_interval and one of limit_mib or limit_percentage must be set/);
});

t.test('logs once when refusing starts, once when it stops, and once per hard-limit episode', async (t) => {
  const lines: Array<{ msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s) as { msg: string }); } });
  const rss = { value: 10 * MIB };
  const config = configSchema.parse({ check_interval: '1s', limit_mib: 100 });
  const p = createMemoryLimiter({ ...testSettings('memory_limiter'), logger }, config, 'traces', new RecordingConsumer(), { readRss: () => rss.value, gc: () => {} });
  for (const v of [90, 95, 85, 120, 130, 90, 120, 10, 5]) { rss.value = v * MIB; p.limiter.check(); }
  t.same(lines.map((l) => l.msg), [
    'memory usage above the soft limit: refusing data',
    'memory usage above the hard limit',
    'memory usage above the hard limit',
    'memory usage below the soft limit: accepting data again',
  ]);
});
