/** The tail_sampling processor on the memory log, in process: holds, decision_wait in event time, late spans, limits, drain. */
import { pino } from 'pino';
import t from 'tap';
import { MemoryLog } from '../../pipeline/memory-log.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { forEachSpan, type Payload } from '../../pdata/index.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { waitFor } from '../../test/wait.js';
import { configSchema } from './config.js';
import { createTailSampling } from './processor.js';
import { T0, traceIdHex, tracePayload } from './test-traces.js';

/** The policies of these tests: errors are kept. */
const ERRORS = [{ name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } }];

async function pipeline(config: Record<string, unknown>, partitions = 2, sink = new RecordingConsumer()) {
  const host = new NoopHost();
  host.stateStore = () => new MemoryStore();
  const metrics = new SelfMetrics();
  const proc = createTailSampling({ ...testSettings('tail_sampling', metrics), pipeline: 'traces' }, configSchema.parse({ policies: ERRORS, ...config }), 'traces', sink);
  await proc.start(host);
  const log = new MemoryLog('traces.ingest', { maxSizeBytes: 1 << 22, partitions }, new SelfMetrics(), pino({ level: 'silent' }));
  await log.consume((payload, delivery) => proc.consume(payload, delivery), proc);
  const send = (p: Payload) => log.append([{ key: undefined, partition: 0, payload: p }]);
  const metric = async (name: string) => (await metrics.registry.getSingleMetricAsString(name));
  return { sink, log, send, metric };
}

/** trace id (as a number) → span count, of what the sink received. */
function received(sink: RecordingConsumer): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of sink.received) forEachSpan(p, (s) => {
    const id = parseInt(Buffer.from(s.traceId).toString('hex'), 16);
    out.set(id, (out.get(id) ?? 0) + 1);
  });
  return out;
}

const settle = () => new Promise((r) => setTimeout(r, 30));

t.test('a trace is held until decision_wait passed in event time, counted from its first span; then sampled whole or released', async (t) => {
  const { sink, log, send } = await pipeline({ decision_wait: '10s' });
  await send(tracePayload(traceIdHex(1), [{ start: 0, end: 100 }]));
  await send(tracePayload(traceIdHex(2), [{ start: 0, end: 100 }]));
  await send(tracePayload(traceIdHex(1), [{ start: 5_000, end: 6_000, status: 2, root: false }]));
  await settle();
  t.same([...received(sink)], [], 'nothing decided before decision_wait');
  t.equal(log.stats().records, 3, 'every record is held');
  // Another trace moves the watermark past 100 ms + 10 s, not past 6 s + 10 s.
  await send(tracePayload(traceIdHex(3), [{ start: 10_100, end: 10_200 }]));
  await settle();
  t.same([...received(sink)], [[1, 2]], 'trace 1 (an error) is emitted whole at 10.1 s: its wait began with its first span');
  t.equal(log.stats().records, 1, 'the records of trace 1 (emitted) and trace 2 (not sampled) are released; trace 3 is held');
});

t.test('late spans follow the decision: a sampled trace\'s are forwarded at once, a not sampled trace\'s dropped', async (t) => {
  const { sink, log, send, metric } = await pipeline({ decision_wait: '1s' });
  await send(tracePayload(traceIdHex(1), [{ status: 2 }]));
  await send(tracePayload(traceIdHex(2), [{}]));
  await send(tracePayload(traceIdHex(9), [{ start: 2_000, end: 2_000 }]));
  await settle();
  t.same([...received(sink)], [[1, 1]]);
  await send(tracePayload(traceIdHex(1), [{ start: 2_100, end: 2_100, root: false }]));
  await send(tracePayload(traceIdHex(2), [{ start: 2_100, end: 2_100, status: 2, root: false }]));
  await settle();
  t.same([...received(sink)], [[1, 2]], 'trace 1\'s late span forwarded; trace 2 stays not sampled, even with an error now');
  t.equal(log.stats().records, 1, 'only trace 9 is held');
  t.match(await metric('otelcol_processor_tail_sampling_early_releases_from_cache_decision_total'), /sampled="true"} 1\n[^]*sampled="false"} 1/);
});

t.test('decision_wait_after_root_received decides earlier once the root span is in', async (t) => {
  const { sink, send } = await pipeline({ decision_wait: '30s', decision_wait_after_root_received: '1s' });
  await send(tracePayload(traceIdHex(1), [{ start: 0, end: 100, status: 2, root: false }]));
  await send(tracePayload(traceIdHex(1), [{ start: 0, end: 200 }]));
  await send(tracePayload(traceIdHex(2), [{ start: 1_300, end: 1_300 }]));
  await settle();
  t.same([...received(sink)], [[1, 2]], 'decided 1 s after its root arrived, not 30 s after its first span');
});

t.test('num_traces: the oldest undecided traces are decided early, and counted', async (t) => {
  const { sink, log, send, metric } = await pipeline({ decision_wait: '1h', num_traces: 3 }, 1);
  for (let i = 1; i <= 5; i++) await send(tracePayload(traceIdHex(i), [{ start: i, end: i, status: i % 2 === 1 ? 2 : 0 }]));
  await settle();
  t.same([...received(sink)].sort(), [[1, 1]], 'traces 1 and 2 were decided early (1 is an error)');
  t.equal(log.stats().records, 3, 'three traces held, no more');
  t.match(await metric('vigil_processor_tail_sampling_early_decisions_total'), /reason="num_traces"} 2/);
  t.match(await metric('otelcol_processor_tail_sampling_sampling_traces_on_memory'), /} 3/);
});

t.test('maximum_trace_size_bytes: a trace past it is not sampled and counted', async (t) => {
  const { sink, send, metric } = await pipeline({ decision_wait: '1s', maximum_trace_size_bytes: 200 }, 1);
  const big = Array.from({ length: 10 }, () => ({ status: 2 as const, root: false }));
  await send(tracePayload(traceIdHex(1), big));
  await send(tracePayload(traceIdHex(2), [{ start: 5_000, end: 5_000 }]));
  await settle();
  t.same([...received(sink)], []);
  t.match(await metric('otelcol_processor_tail_sampling_traces_dropped_too_large_total'), /} 1/);
});

t.test('drain decides what is held (the memory log delivers nothing again) and leaves nothing held', async (t) => {
  const { sink, log, send, metric } = await pipeline({ decision_wait: '1h' });
  await send(tracePayload(traceIdHex(1), [{ status: 2 }, {}]));
  await send(tracePayload(traceIdHex(2), [{}]));
  t.equal(await log.drain(Date.now() + 5_000), 0);
  t.same([...received(sink)], [[1, 2]]);
  t.match(await metric('vigil_processor_tail_sampling_early_decisions_total'), /reason="shutdown"} 2/);
});

t.test('drop_pending_traces_on_shutdown drops what is held instead', async (t) => {
  const { sink, log, send } = await pipeline({ decision_wait: '1h', drop_pending_traces_on_shutdown: true });
  await send(tracePayload(traceIdHex(1), [{ status: 2 }]));
  t.equal(await log.drain(Date.now() + 5_000), 0);
  t.same([...received(sink)], []);
});

t.test('an idle partition decides its last traces as the wall clock moves on', async (t) => {
  const { sink, send } = await pipeline({ decision_wait: '500ms' }, 1);
  await send(tracePayload(traceIdHex(1), [{ status: 2 }]));
  await waitFor('the idle partition to decide', () => sink.received.length > 0, 15_000);
  t.same([...received(sink)], [[1, 1]]);
});

t.test('an idle partition\'s decisions keep pace with its watermark while downstream takes its time to accept', async (t) => {
  // Like `batch`, which resolves a consume once its batch is sent: 400 ms per emit.
  const starts: number[] = [];
  const slow = new class extends RecordingConsumer {
    override async consume(payload: Payload): Promise<void> {
      starts.push(performance.now());
      await new Promise((r) => setTimeout(r, 400));
      await super.consume(payload);
    }
  }();
  const { sink, send } = await pipeline({ decision_wait: '2s' }, 1, slow);
  // Ten kept traces due 100 ms of event time apart, none due while they arrive: ten decision timers,
  // fired over about a second of wall time once the partition is idle.
  for (let i = 0; i < 10; i++) await send(tracePayload(traceIdHex(i + 1), [{ start: i * 100, end: i * 100 + 10, status: 2 }]));
  await waitFor('every trace to be emitted', () => received(sink).size === 10, 15_000);
  const spanMs = starts[starts.length - 1]! - starts[0]!;
  t.equal(starts.length, 10, 'one emit per decision timer');
  t.ok(spanMs < 2_500, `the emits started within ${Math.round(spanMs)} ms, as the watermark passed them, not 400 ms after each other's end`);
});

t.test('span-ingest: a sampling policy decides at once; the rest is not sampled at its decision time', async (t) => {
  const { sink, log, send } = await pipeline({ decision_wait: '1s', sampling_strategy: 'span-ingest' }, 1);
  await send(tracePayload(traceIdHex(1), [{}]));
  await send(tracePayload(traceIdHex(2), [{ status: 2 }]));
  await settle();
  t.same([...received(sink)], [[2, 1]], 'the error is sampled as it arrives');
  await send(tracePayload(traceIdHex(1), [{ start: 500, end: 500, status: 2, root: false }]));
  await settle();
  t.same([...received(sink)].sort(), [[1, 2], [2, 1]], 'trace 1 is sampled by its second part, with its first');
  await send(tracePayload(traceIdHex(3), [{ start: 600, end: 600 }]));
  await send(tracePayload(traceIdHex(4), [{ start: 2_000, end: 2_000 }]));
  await settle();
  t.equal(log.stats().records, 1, 'trace 3 was not sampled at 1.6 s; trace 4 waits');
});

t.test('the same records replayed in one burst give the same decisions as arriving over time', async (t) => {
  const config = { decision_wait: '2s', policies: [...ERRORS, { name: 'slow', type: 'latency', latency: { threshold_ms: 300 } }, { name: 'p', type: 'probabilistic', probabilistic: { sampling_percentage: 20 } }] };
  const records = Array.from({ length: 200 }, (_, i) => tracePayload(traceIdHex(1000 + (i % 80)), [{ start: i * 50, end: i * 50 + (i % 7) * 60, status: i % 23 === 0 ? 2 : 0, root: i < 80 }]));
  const burst = await pipeline(config, 3);
  await Promise.all(records.map((r) => burst.send(r)));
  await burst.log.drain(Date.now() + 5_000);
  const paced = await pipeline(config, 3);
  for (const r of records) { await paced.send(r); await new Promise((res) => setTimeout(res, 2)); }
  await paced.log.drain(Date.now() + 5_000);
  const got = [...received(burst.sink)].sort((a, b) => a[0] - b[0]);
  t.ok(got.length > 5 && got.length < 80, `some traces kept (${got.length} of 80)`);
  t.same(got, [...received(paced.sink)].sort((a, b) => a[0] - b[0]));
});

t.test('a span dated far in the future moves the event time at most a minute past the wall clock', async (t) => {
  const { sink, send } = await pipeline({ decision_wait: '10m' }, 1);
  const now = Date.now();
  await send(tracePayload(traceIdHex(1), [{ start: now - T0, end: now - T0, status: 2 }]));
  await send(tracePayload(traceIdHex(2), [{ start: now - T0 + 86_400_000, end: now - T0 + 86_400_000, root: false }]));
  await settle();
  t.same([...received(sink)], [], 'a day ahead counts as a minute ahead: trace 1 still waits');
});

t.test('max_held_size_mib: past it the oldest traces are decided early, whichever partition holds them', async (t) => {
  const { sink, log, metric } = await pipeline({ decision_wait: '1h', max_held_size_mib: 300 / 1024 / 1024 }, 2);
  for (let i = 1; i <= 8; i++) await log.append([{ key: undefined, partition: i % 2, payload: tracePayload(traceIdHex(i), [{ start: i, end: i, status: 2 }]) }]);
  await settle();
  const decided = [...received(sink).keys()].sort((a, b) => a - b);
  t.ok(decided.length >= 2 && decided.length < 8, `some traces decided early (${decided.join(', ')})`);
  t.same(decided, Array.from({ length: decided.length }, (_, i) => i + 1), 'the oldest ones, across both partitions');
  t.equal(log.stats().records, 8 - decided.length, 'the rest are held');
  t.match(await metric('vigil_processor_tail_sampling_early_decisions_total'), new RegExp(`reason="held_bytes"} ${decided.length}`));
});
