import t from 'tap';
import { pino } from 'pino';
import { MemoryLog } from './memory-log.js';
import { PermanentError, QueueFullError, RetryableError, UnavailableError } from './errors.js';
import { Payload } from '../pdata/payload.js';
import { SelfMetrics } from './telemetry.js';

const logger = pino({ level: 'silent' });
const payload = (size: number, items = 1): Payload => new Payload('traces', new Uint8Array(size), items);
const makeLog = (maxSizeBytes: number, partitions = 2): MemoryLog =>
  new MemoryLog('traces.ingest', { maxSizeBytes, partitions }, new SelfMetrics(), logger);

t.test('delivers every appended record once and frees its bytes on ack', async (t) => {
  const log = makeLog(1000);
  const seen: Payload[] = [];
  await log.consume(async (p) => {
    seen.push(p);
  });
  const records = Array.from({ length: 10 }, (_, i) => ({ key: Uint8Array.of(i), payload: payload(10) }));
  await log.append(records);
  await new Promise((r) => setImmediate(r));
  t.equal(seen.length, 10);
  t.same(log.stats(), { records: 0, bytes: 0, capacityBytes: 1000 });
});

t.test('refuses with QueueFullError when the byte budget would be exceeded, all or nothing', async (t) => {
  const log = makeLog(100);
  await log.append([{ key: undefined, payload: payload(60) }]);
  await t.rejects(log.append([{ key: undefined, payload: payload(30) }, { key: undefined, payload: payload(30) }]), QueueFullError);
  t.equal(log.stats().records, 1, 'the refused append left nothing behind');
  await log.append([{ key: undefined, payload: payload(40) }]);
  t.equal(log.stats().bytes, 100);
});

t.test('records of one key stay on one partition; explicit partitions are honoured', async (t) => {
  const log = makeLog(10_000, 4);
  const byKey = new Map<number, Set<number>>();
  const explicit: number[] = [];
  await log.consume(async (p, { partition }) => {
    if (p.itemCount === 99) explicit.push(partition);
    else {
      const set = byKey.get(p.bytes.byteLength) ?? new Set<number>();
      set.add(partition);
      byKey.set(p.bytes.byteLength, set);
    }
  });
  for (let round = 0; round < 5; round++) {
    await log.append(Array.from({ length: 20 }, (_, k) => ({ key: Uint8Array.of(k, 7, k), payload: payload(k + 1) })));
  }
  await log.append([{ key: undefined, partition: 3, payload: payload(1, 99) }]);
  await new Promise((r) => setImmediate(r));
  for (const [, set] of byKey) t.equal(set.size, 1);
  t.same(explicit, [3]);
});

t.test('a retryable failure redelivers; a permanent one drops', async (t) => {
  const log = makeLog(1000, 1);
  const attempts = new Map<number, number>();
  await log.consume(async (p) => {
    const n = (attempts.get(p.itemCount) ?? 0) + 1;
    attempts.set(p.itemCount, n);
    if (p.itemCount === 1 && n < 3) throw new RetryableError('try later');
    if (p.itemCount === 2) throw new PermanentError('never');
  });
  await log.append([{ key: undefined, payload: payload(10, 1) }]);
  await log.append([{ key: undefined, payload: payload(10, 2) }]);
  const left = await log.drain(Date.now() + 3000);
  t.equal(left, 0, 'drained');
  t.equal(attempts.get(1), 3, 'the retryable record was delivered until it was acknowledged');
  t.equal(attempts.get(2), 1, 'the permanent failure was not retried');
});

t.test('drain refuses new data, waits for acks, and reports what is left at the deadline', async (t) => {
  const log = makeLog(1000, 1);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  await log.consume(() => gate);
  await log.append([{ key: undefined, payload: payload(10) }]);
  const draining = log.drain(Date.now() + 200);
  await t.rejects(log.append([{ key: undefined, payload: payload(10) }]), UnavailableError);
  t.equal(await draining, 1, 'one record was still unacknowledged at the deadline');
  release();

  const log2 = makeLog(1000, 1);
  await log2.consume(() => new Promise((r) => setTimeout(r, 50)));
  await log2.append([{ key: undefined, payload: payload(10) }]);
  t.equal(await log2.drain(Date.now() + 2000), 0, 'drain waited for the slow ack');
});

t.test('bounds deliveries in flight per partition', async (t) => {
  const log = new MemoryLog('x', { maxSizeBytes: 1e6, partitions: 1, maxInFlightPerPartition: 3 }, new SelfMetrics(), logger);
  let inFlight = 0;
  let peak = 0;
  await log.consume(async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
  });
  await log.append(Array.from({ length: 20 }, () => ({ key: undefined, payload: payload(1) })));
  t.equal(await log.drain(Date.now() + 2000), 0);
  t.equal(peak, 3);
});

t.test('partition hooks: every partition assigned before the first delivery, revoked after the drain', async (t) => {
  const log = makeLog(1000, 3);
  const events: string[] = [];
  let release!: () => void;
  const slowAssign = new Promise<void>((r) => (release = r));
  await log.append([{ key: undefined, payload: payload(10) }]);
  const consuming = log.consume(async () => {
    events.push('deliver');
  }, {
    assigned: async (partitions) => {
      events.push(`assigned ${partitions.join(',')}`);
      await slowAssign;
    },
    revoked: async (partitions) => {
      events.push(`revoked ${partitions.join(',')}`);
    },
  });
  await new Promise((r) => setTimeout(r, 20));
  t.same(events, ['assigned 0,1,2'], 'nothing delivered while state is being reloaded');
  release();
  await consuming;
  t.equal(await log.drain(Date.now() + 1000), 0);
  t.same(events, ['assigned 0,1,2', 'deliver', 'revoked 0,1,2']);
  await t.rejects(log.consume(async () => {}), /already has a consumer/);
});

t.test('a failing revocation hook does not fail the drain', async (t) => {
  const log = makeLog(1000, 1);
  let called = 0;
  await log.consume(async () => {}, {
    revoked: async () => {
      called++;
      throw new Error('boom');
    },
  });
  await log.append([{ key: undefined, payload: payload(10) }]);
  t.equal(await log.drain(Date.now() + 100), 0);
  t.equal(called, 1);
});
