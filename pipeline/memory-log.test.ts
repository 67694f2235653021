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

t.test('a held record frees its place in the window but keeps its bytes until released', async (t) => {
  const log = new MemoryLog('traces.ingest', { maxSizeBytes: 1000, partitions: 1, maxInFlightPerPartition: 2 }, new SelfMetrics(), logger);
  const holds: Array<{ release(): void }> = [];
  const offsets: bigint[] = [];
  await log.consume(async (_p, delivery) => {
    t.equal(delivery.log, 'traces.ingest');
    offsets.push(delivery.offset);
    holds.push(delivery.hold());
  });
  await log.append(Array.from({ length: 5 }, () => ({ key: undefined, payload: payload(10) })));
  await new Promise((r) => setImmediate(r));
  t.equal(holds.length, 5, 'all delivered although the window is 2: held records do not occupy it');
  t.same(offsets, [0n, 1n, 2n, 3n, 4n], 'offsets increase per partition');
  t.same(log.stats(), { records: 5, bytes: 50, capacityBytes: 1000 }, 'held bytes still count against the budget');
  holds[0]!.release();
  holds[0]!.release(); // twice is harmless
  t.same(log.stats(), { records: 4, bytes: 40, capacityBytes: 1000 });
  for (const h of holds) h.release();
  t.same(log.stats(), { records: 0, bytes: 0, capacityBytes: 1000 });
});

t.test('holds taken by a failed attempt do not count; the redelivery decides', async (t) => {
  const log = makeLog(1000, 1);
  let attempts = 0;
  await log.consume(async (_p, delivery) => {
    delivery.hold(); // never released by the failing attempt
    if (++attempts === 1) throw new RetryableError('downstream busy');
  });
  await log.append([{ key: undefined, payload: payload(10) }]);
  const deadline = Date.now() + 2000;
  while (attempts < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(attempts, 2);
  t.equal(log.stats().records, 1, 'the second attempt holds it');
});

t.test('drain revokes every partition once deliveries settled, and waits for the flush to release the holds', async (t) => {
  const log = makeLog(1000, 2);
  const held = new Map<number, Array<{ release(): void }>>();
  const events: string[] = [];
  await log.consume(async (_p, delivery) => {
    const list = held.get(delivery.partition) ?? [];
    list.push(delivery.hold());
    held.set(delivery.partition, list);
  }, {
    revoked: async (partitions, why) => {
      events.push(`revoked ${partitions.join(',')} redelivered=${why.redelivered}`);
      await new Promise((r) => setTimeout(r, 20)); // a flush that takes a while
      for (const p of partitions) for (const h of held.get(p) ?? []) h.release();
    },
  });
  await log.append([{ key: undefined, partition: 0, payload: payload(10) }, { key: undefined, partition: 1, payload: payload(10) }]);
  const left = await log.drain(Date.now() + 2000);
  t.equal(left, 0, 'nothing left: the holders flushed on revocation');
  t.same(events, ['revoked 0,1 redelivered=false'], 'the memory log redelivers nothing: held data must be flushed');
});

t.test('drain counts what a holder never released by the deadline', async (t) => {
  const log = makeLog(1000, 1);
  await log.consume(async (_p, delivery) => void delivery.hold());
  await log.append([{ key: undefined, payload: payload(10) }]);
  t.equal(await log.drain(Date.now() + 100), 1);
});
