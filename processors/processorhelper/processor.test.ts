/** createProcessor: counting in and out, null drops, admit, lifecycle hooks, errors passed back. */
import t from 'tap';
import { pino } from 'pino';
import { parseComponentId } from '../../pipeline/component.js';
import { Payload } from '../../pdata/payload.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { randomSpans } from './test-support.js';
import { createProcessor, pipelineOf } from './processor.js';

const sum = async (m: SelfMetrics['processorIncoming']): Promise<number> => (await m.get()).values.reduce((n, v) => n + v.value, 0);

t.test('counts incoming and outgoing items; null passes nothing on', async (t) => {
  const metrics = new SelfMetrics();
  const next = new RecordingConsumer();
  let n = 0;
  const p = createProcessor({
    settings: testSettings('keep_odd', metrics), signal: 'traces', next,
    process: (payload) => (n++ % 2 === 0 ? payload : null),
  });
  t.equal(p.admit, undefined, 'no admit unless given');
  for (let i = 0; i < 4; i++) await p.consume(randomSpans(5));
  t.equal(next.received.length, 2);
  t.equal(await sum(metrics.processorIncoming), 20);
  t.equal(await sum(metrics.processorOutgoing), 10);
  t.same((await metrics.processorOutgoing.get()).values[0]!.labels, { processor: 'keep_odd', pipeline: 'traces', otel_signal: 'traces' });
});

t.test('async process functions, hooks and admit are wired through', async (t) => {
  const calls: string[] = [];
  const next = new RecordingConsumer();
  const p = createProcessor({
    settings: testSettings('hooks'), signal: 'logs', next,
    process: async (payload) => new Payload(payload.signal, payload.bytes, payload.itemCount),
    start: async () => { calls.push('start'); },
    shutdown: async (deadline) => { calls.push(`shutdown ${deadline}`); },
    admit: () => { throw new Error('no'); },
  });
  await p.start(new NoopHost());
  await p.consume(randomSpans(2));
  await p.shutdown(42);
  t.same(calls, ['start', 'shutdown 42']);
  t.equal(next.items, 2);
  t.throws(() => p.admit!(randomSpans(1)), /no/);
});

t.test('errors of process and of next reject consume', async (t) => {
  const next = new RecordingConsumer();
  const failing = createProcessor({ settings: testSettings('x'), signal: 'traces', next, process: () => { throw new Error('bad'); } });
  await t.rejects(failing.consume(randomSpans(1)), /bad/);
  next.fail = new Error('down');
  const p = createProcessor({ settings: testSettings('y'), signal: 'traces', next, process: (x) => x });
  await t.rejects(p.consume(randomSpans(1)), next.fail);
});

t.test('the pipeline label comes from the logger the graph builder binds', async (t) => {
  const logger = pino({ level: 'silent' }).child({ kind: 'processor', name: 'batch', pipeline: 'traces/sampled' });
  const settings = { id: parseComponentId('batch'), logger, metrics: new SelfMetrics() };
  t.equal(pipelineOf(settings, 'traces'), 'traces/sampled');
  t.equal(pipelineOf(testSettings('batch'), 'metrics'), 'metrics', 'falls back to the signal');
});
