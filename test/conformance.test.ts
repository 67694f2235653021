/**
 * One conformance test over every registered factory (STYLE.md "Tests"): the empty body (`type:`,
 * what a user gets for writing nothing) either validates, is the default config, and the component
 * built from it starts and shuts down, or `vigil validate` refuses it at the component's key with
 * the message listed here; create → shutdown without start; create → start → consume → shutdown.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { FACTORIES } from '../cmd/components.js';
import { checkConfig } from '../cmd/validate.js';
import type { Component, Consumer, Factory, Processor } from '../pipeline/component.js';
import { Acknowledgement, deliveryOf } from '../pipeline/delivery.js';
import { decodeProtobuf } from '../pdata/index.js';
import { DEFAULT_TOPIC } from '../pipeline/kafka/encoding.js';
import type { Payload, Signal } from '../pdata/payload.js';
import { makeLogs, makeMetrics, makeSpans } from './e2e/sdk-fixtures.js';
import { tempDir } from './daemon.js';
import { NoopHost, RecordingConsumer, testSettings } from './doubles.js';
import { createTopicsWithLeaders } from '../pipeline/kafka/topics.js';
import { testKafka, unique } from './kafka.js';
import { kafkaAvailable, requireService } from './services.js';

/** Fresh topics on the shared broker for the kafka receiver and exporter (deleted at the end). */
const kafkaUp = await kafkaAvailable();
const kafkaTopics = { traces: unique('vigil-conf-spans'), metrics: unique('vigil-conf-metrics'), logs: unique('vigil-conf-logs') };
if (kafkaUp) {
  const admin = testKafka().admin();
  await admin.connect();
  await createTopicsWithLeaders(admin, Object.values(kafkaTopics).map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })));
  await admin.disconnect();
  t.teardown(async () => {
    const a = testKafka().admin();
    await a.connect();
    await a.deleteTopics({ topics: Object.values(kafkaTopics) }).catch(() => {});
    await a.disconnect();
  });
}

/** Factories that need a service; without it they are only created and shut down. */
const NEEDS_KAFKA = new Set(['kafka']);

/** Settings a factory needs beyond its defaults to be usable here (required keys, port 0). */
const REQUIRED: Record<string, (dir: string) => unknown> = {
  otlp: () => ({ protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } } }),
  memory_limiter: () => ({ check_interval: '1s', limit_mib: 4000 }),
  file: (dir) => ({ path: join(dir, 'out.jsonl') }),
  otlp_grpc: () => ({ endpoint: '127.0.0.1:1', tls: { insecure: true } }),
  otlp_http: () => ({ endpoint: 'http://127.0.0.1:1' }),
  health_check: () => ({ endpoint: '127.0.0.1:0' }),
  // Without policies every trace is not sampled (as in otelcol): keep them, to see data pass.
  tail_sampling: () => ({ policies: [{ name: 'all', type: 'always_sample' }] }),
  // Notification exporters: the sample payloads hold no vigil.alert record, so nothing is sent.
  webhook: () => ({ endpoint: 'http://127.0.0.1:1' }),
  slack: () => ({ webhook_url: 'http://127.0.0.1:1' }),
  pagerduty: () => ({ routing_key: 'x'.repeat(32), endpoint: 'http://127.0.0.1:1' }),
  email: () => ({ endpoint: '127.0.0.1:1', from: 'vigil@localhost', to: ['root@localhost'] }),
  alertmanager: () => ({ endpoint: 'http://127.0.0.1:1' }),
  alert_routing: () => ({ route: { receiver: 'debug' } }),
  // Keyed `kind:type` where a receiver and an exporter share a type. One fresh topic per signal.
  'exporter:kafka': () => ({ brokers: ['localhost:9092'], ...kafkaBlocks() }),
  'receiver:kafka': () => ({ brokers: ['localhost:9092'], ...kafkaBlocks(), group_id: unique('vigil-conf') }),
};

function kafkaBlocks() {
  return { traces: { topic: kafkaTopics.traces }, metrics: { topic: kafkaTopics.metrics }, logs: { topic: kafkaTopics.logs } };
}

/** The settings `factory` needs here, if any. */
const requiredOf = (f: Factory) => REQUIRED[`${f.kind}:${f.type}`] ?? REQUIRED[f.type];

/** Components that emit on a timer, not per consume (span_metrics flushes every metrics_flush_interval, as otelcol's). */
const EMITS_ON_FLUSH = new Set(['span_metrics']);

/** Exporters whose destination is not reachable here: started and stopped, not fed. */
const NOT_FED = new Set(['otlp_grpc', 'otlp_http']);
/** Stateful processors take data only with a stage-log delivery; their own tests feed them through a memory log. */
const FED_BY_LOG = new Set(['alert_rules']);
/** Processors that keep data until a decision (tail_sampling: decision_wait); they pass it on at shutdown at the latest. */
const HOLDS_UNTIL_SHUTDOWN = new Set(['tail_sampling']);

async function samplePayload(signal: Signal): Promise<Payload> {
  const bytes = signal === 'traces'
    ? ProtobufTraceSerializer.serializeRequest(makeSpans(2))
    : signal === 'metrics'
      ? ProtobufMetricsSerializer.serializeRequest(await makeMetrics(AggregationTemporality.CUMULATIVE))
      : ProtobufLogsSerializer.serializeRequest(makeLogs(2));
  return decodeProtobuf(signal, bytes!).payload!;
}

const signalsOf = (f: Factory): Signal[] => Object.keys(f.stability) as Signal[];

function create(f: Factory, config: unknown, signal: Signal | undefined, next: Consumer): Component & Partial<Consumer> {
  const settings = testSettings(f.type);
  switch (f.kind) {
    case 'receiver': return f.create(settings, config, new Map(signalsOf(f).map((s) => [s, next])));
    case 'processor': return f.create(settings, config, signal!, next);
    case 'exporter': return f.create(settings, config);
    case 'connector': return f.create(settings, config, signal!, f.connects[signal!]![0]!, next);
    case 'extension': return f.create(settings, config);
  }
}

/**
 * Factories whose empty body `vigil validate` refuses (a required key, as in otelcol), keyed like
 * REQUIRED, with what the error must say. Every other factory's empty body must validate and start.
 */
const EMPTY_BODY_REFUSED: Record<string, RegExp> = {
  'receiver:otlp': /protocols/,
  memory_limiter: /check_interval.*must be set|limit_mib/,
  file: /path/,
  otlp_grpc: /endpoint/,
  otlp_http: /endpoint/,
  webhook: /endpoint/,
  slack: /either webhook_url/,
  pagerduty: /routing_key/,
  email: /endpoint|from|to/,
  alert_routing: /a route tree is required/,
};

/**
 * What the default config needs from the world to start: the kafka receiver consumes otelcol's
 * default topics, which must exist. Created once on the shared broker and left there (empty), since
 * another run of this test may be using them.
 */
const PREPARE_DEFAULT: Record<string, () => Promise<void>> = {
  'receiver:kafka': async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await createTopicsWithLeaders(admin, Object.values(DEFAULT_TOPIC).map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })));
    } finally {
      await admin.disconnect();
    }
  },
};

const SECTION = { receiver: 'receivers', processor: 'processors', exporter: 'exporters', connector: 'connectors', extension: 'extensions' } as const;

/** A config whose only unconfigured component is `factory`'s, written `type:` on line 2, in a pipeline of its first signal. */
function emptyBodyYaml(f: Factory): string {
  const signal = signalsOf(f)[0] ?? 'traces';
  const helpers = ['otlp/helper: { protocols: { grpc: { endpoint: "127.0.0.1:0" } } }', 'debug/helper: { verbosity: basic }'];
  const pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> = {};
  const through = { receivers: ['otlp/helper'], exporters: ['debug/helper'] };
  switch (f.kind) {
    case 'receiver': pipelines[signal] = { ...through, receivers: [f.type] }; break;
    case 'processor': pipelines[signal] = { ...through, processors: [f.type] }; break;
    case 'exporter': pipelines[signal] = { ...through, exporters: [f.type] }; break;
    case 'connector': {
      pipelines[signal] = { ...through, exporters: [f.type] };
      pipelines[`${f.connects[signal]![0]!}/out`] = { ...through, receivers: [f.type] };
      break;
    }
    case 'extension': pipelines[signal] = through; break;
  }
  const section = (name: string, own: string[]): string => `${name}:\n${own.map((l) => `  ${l}\n`).join('')}`;
  const lines = [section(SECTION[f.kind], [`${f.type}:`, ...(f.kind === 'receiver' ? [helpers[0]!] : f.kind === 'exporter' ? [helpers[1]!] : [])])];
  if (f.kind !== 'receiver') lines.push(section('receivers', [helpers[0]!]));
  if (f.kind !== 'exporter') lines.push(section('exporters', [helpers[1]!]));
  const extensions = f.kind === 'extension' ? `  extensions: [${f.type}]\n` : '';
  return `${lines.join('')}service:\n${extensions}  pipelines: ${JSON.stringify(pipelines)}\n`;
}

for (const factory of FACTORIES) {
  t.test(`${factory.kind} ${factory.type}: loads its implementation only when asked (load)`, async (t) => {
    t.type(factory.load, 'function', 'has load()');
    await factory.load!();
  });
  await factory.load?.();
  t.test(`${factory.kind} ${factory.type}: the empty body validates and starts, or is refused at its key`, async (t) => {
    const file = join(tempDir(), 'collector.yaml');
    writeFileSync(file, emptyBodyYaml(factory));
    const result = await checkConfig({ files: [file], sets: [], factories: FACTORIES, env: {} });
    const section = SECTION[factory.kind];
    const refused = EMPTY_BODY_REFUSED[`${factory.kind}:${factory.type}`] ?? EMPTY_BODY_REFUSED[factory.type];
    if (refused) {
      t.notOk(result.config, 'refused');
      t.ok(result.errors.length > 0, 'with an error');
      for (const e of result.errors) {
        t.equal(`${e.file}:${e.line}:${e.column}`, `${file}:2:3`, `${String(e)}: at the component's key`);
        t.ok(e.path === `${section}::${factory.type}` || e.path.startsWith(`${section}::${factory.type}::`), `${e.path}: under the component's path`);
      }
      t.match(result.errors.map((e) => e.message).join('\n'), refused, 'saying what is missing');
      return;
    }
    t.same(result.errors.map(String), [], 'validates');
    const config = result.config![section].get(factory.type)!.config;
    t.same(config, factory.createDefaultConfig(), 'to the default config');
    if (NEEDS_KAFKA.has(factory.type) && !requireService(t, 'Kafka', kafkaUp)) return;
    await PREPARE_DEFAULT[`${factory.kind}:${factory.type}`]?.();
    const c = create(factory, config, factory.kind === 'extension' ? undefined : signalsOf(factory)[0], new RecordingConsumer());
    await c.start(new NoopHost());
    await c.shutdown(Date.now() + 5000);
    t.pass('starts and shuts down');
  });

  t.test(`${factory.kind} ${factory.type}`, async (t) => {
    const dir = tempDir();
    const config = factory.configSchema.parse(requiredOf(factory)?.(dir) ?? {});
    t.ok(factory.createDefaultConfig() !== undefined, 'has a default config');
    const signals: Array<Signal | undefined> = factory.kind === 'extension' ? [undefined] : signalsOf(factory);
    t.ok(signals.length > 0, 'supports at least one signal');
    for (const signal of signals) {
      const idle = create(factory, config, signal, new RecordingConsumer());
      if (factory.kind === 'processor') {
        // The receiving thread builds admission processors by this flag, before any exists.
        t.equal(typeof (idle as Processor).admit === 'function', factory.admits === true, `${signal}: has admit exactly when the factory says admits`);
      }
      await idle.shutdown(Date.now() + 2000);
      t.pass(`${signal ?? ''} create → shutdown without start`);

      if (NEEDS_KAFKA.has(factory.type) && !requireService(t, 'Kafka', kafkaUp)) continue;
      const next = new RecordingConsumer();
      const c = create(factory, config, signal, next);
      await c.start(new NoopHost());
      if (signal && c.consume && !NOT_FED.has(factory.type) && !FED_BY_LOG.has(factory.type)) {
        const payload = await samplePayload(signal);
        // As a stage log delivers it: stateful processors need to know where a record came from.
        const ack = new Acknowledgement(() => {});
        await c.consume(payload, deliveryOf(`${signal}.ingest`, 0, 0n, false, ack));
        ack.settle();
        if ((factory.kind === 'processor' || factory.kind === 'connector') && !HOLDS_UNTIL_SHUTDOWN.has(factory.type)) {
          t.ok(next.items > 0 || factory.type === 'probabilistic_sampler' || EMITS_ON_FLUSH.has(factory.type) || factory.type === 'events', `${signal}: data passed on`);
        }
      }
      await c.shutdown(Date.now() + 5000);
      if (signal && HOLDS_UNTIL_SHUTDOWN.has(factory.type)) t.ok(next.items > 0, `${signal}: data passed on by shutdown`);
      t.pass(`${signal ?? ''} create → start → consume → shutdown`);
    }
  });
}
