/** The service's state wiring: the store through Host, partition hooks, readiness; the ingest side of the thread split. */
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { z } from 'zod';
import { FACTORIES } from '../cmd/components.js';
import { loadConfig } from '../config/index.js';
import { freePort, tempDir } from '../test/daemon.js';
import type { Exporter, ExporterFactory, Extension, ExtensionFactory, Host, Processor, ProcessorFactory } from './component.js';
import { Service, type Forwarder, type ServiceRole } from './service.js';
import { ownershipKey } from './state/ownership.js';
import type { StateStore } from './state/state-store.js';

/** What the stateful test processor saw. */
const seen: { events: string[]; store?: StateStore } = { events: [] };

/** A processor that keeps per-partition state, as tail sampling will. */
const stateful: ProcessorFactory<Record<string, never>> = {
  type: 'stateful_test', kind: 'processor', stability: { traces: 'development' }, configSchema: z.strictObject({}),
  createDefaultConfig: () => ({}),
  create: (_settings, _config, _signal, next): Processor => {
    let host: Host | undefined;
    return {
      async start(h) {
        host = h;
        seen.store = h.stateStore();
        // A stateful processor tolerates an unreachable store: state is an optimisation.
        await h.stateStore().put('stateful_test:started', 'yes').catch(() => seen.events.push('store unreachable at start'));
      },
      async shutdown() {},
      consume: (payload) => next.consume(payload),
      async assigned(partitions) {
        seen.events.push(`assigned ${partitions.join(',')}`);
      },
      async revoked(partitions) {
        seen.events.push(`revoked ${partitions.join(',')}`);
        await host!.stateStore().put(`stateful_test:final:${partitions.join(',')}`, 'saved');
        seen.events.push('final state saved');
      },
    };
  },
};

/** A Service for `yaml`, with the built-in factories and `extra`, loaded as the daemon loads its config. */
function serviceFrom(dir: string, yaml: string, extra: ProcessorFactory<Record<string, never>> | ExporterFactory<Record<string, never>> | ExtensionFactory<Record<string, never>>, split?: ServiceRole): Promise<Service> {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  const { config, errors } = loadConfig({ files: [file], factories: [...FACTORIES, extra], env: {} });
  if (!config) throw new Error(errors.map(String).join('\n'));
  return Service.create(config, pino({ level: 'silent' }), split);
}

/** otlp (HTTP on `port`) → stateful_test → file, on a 3-partition memory queue and `state`, as the whole service or one side of it. */
async function service(state: string, port?: number, split?: ServiceRole): Promise<Service> {
  const dir = tempDir();
  return await serviceFrom(dir, `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${port ?? await freePort()} } } }
processors:
  stateful_test: {}
exporters:
  file: { path: ${join(dir, 'out.jsonl')} }
service:
  telemetry: { metrics: { level: none } }
  queue: { type: memory, memory: { partitions: 3 } }
  state: ${state}
  pipelines:
    traces: { receivers: [otlp], processors: [stateful_test], exporters: [file] }
`, stateful, split);
}

t.test('memory state: processors get the store and their partitions; ownership is checkpointed', async (t) => {
  seen.events = [];
  const svc = await service('{ type: memory }');
  await svc.start();
  t.same(seen.events, ['assigned 0,1,2'], 'all partitions of the memory log, before data flows');
  t.equal(seen.store, svc.stateStore(), 'one store, shared through Host');
  t.ok(await svc.stateStore().get('stateful_test:started'));
  for (const p of [0, 1, 2]) {
    const bytes = await svc.stateStore().get(ownershipKey('traces.ingest', p));
    t.match(JSON.parse(Buffer.from(bytes!).toString('utf8')), { log: 'traces.ingest', partition: p, state: 'owned' });
  }
  t.same(svc.notReadyReasons(), []);
  t.same(await svc.shutdown(), []);
  t.same(seen.events, ['assigned 0,1,2', 'revoked 0,1,2', 'final state saved'], 'revoked after the drain, while the store is still open');
  t.match(svc.notReadyReasons(), ['service is stopped', 'state store is closed'], 'the store is closed last');
});

t.test('redis state, Redis unreachable: the service starts anyway and readiness names Redis', async (t) => {
  const port = await freePort(); // nothing listens there
  const svc = await service(`{ type: redis, redis: { endpoint: 127.0.0.1:${port}, key_prefix: svc-test } }`);
  const started = Date.now();
  await svc.start();
  t.ok(Date.now() - started < 5_000, 'start is not held by the unreachable store');
  t.same(svc.notReadyReasons(), [`redis 127.0.0.1:${port} unreachable: ECONNREFUSED`]);
  t.same(seen.events.slice(-2), ['store unreachable at start', 'assigned 0,1,2']);
  t.same(await svc.shutdown(), [], 'failed checkpoints are not shutdown errors');
});

/** An exporter whose backend the test can take away: it reports why it cannot export. */
const backendDown: { reason?: string } = {};
const reporting: ExporterFactory<Record<string, never>> = {
  type: 'reporting_test', kind: 'exporter', stability: { traces: 'development' }, configSchema: z.strictObject({}),
  createDefaultConfig: () => ({}),
  create: (): Exporter => ({
    async start() {},
    async shutdown() {},
    async consume() {},
    notReadyReasons: () => (backendDown.reason ? [backendDown.reason] : []),
  }),
};

t.test('a component that cannot do its work makes the service not ready, named by its id', async (t) => {
  const svc = await serviceFrom(tempDir(), `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${await freePort()} } } }
exporters:
  reporting_test/backend: {}
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], exporters: [reporting_test/backend] }
`, reporting);
  await svc.start();
  t.teardown(() => svc.shutdown());
  t.same(svc.notReadyReasons(), []);
  backendDown.reason = 'brokers unreachable';
  t.same(svc.notReadyReasons(), ['exporter reporting_test/backend: brokers unreachable']);
  backendDown.reason = undefined;
  t.same(svc.notReadyReasons(), [], 'ready again once the component is');
});

/** Whether something accepts TCP connections on 127.0.0.1:`port` now. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

t.test('ingest side: the forwarder starts before the receivers listen and drains after they stopped; its readiness counts', async (t) => {
  seen.events = [];
  seen.store = undefined;
  const port = await freePort();
  const events: string[] = [];
  const forwarder: Forwarder = {
    async start() { events.push(`start, receiver listening: ${await listening(port)}`); },
    notReadyReasons: () => ['stage log traces.ingest: consumer group not joined yet'],
    async shutdown(deadline) {
      events.push(`shutdown, receiver listening: ${await listening(port)}, deadline ahead: ${deadline > Date.now()}`);
      return [new Error('exporter file: disk full')];
    },
    metrics: async () => [],
    append: async () => ({ logBytes: 0 }),
    logBytes: () => 0,
    readState: async (read) => (read.op === 'get' ? { value: Buffer.from(`value of ${read.key}`) } : read.op === 'list' ? { keys: [`${read.prefix}a`] } : { fields: new Map() }),
  };
  const svc = await service('{ type: memory }', port, { role: 'ingest', forwarder });
  await svc.start();
  t.same(events, ['start, receiver listening: false']);
  t.ok(await listening(port), 'receivers listen once the forwarder runs');
  t.same(svc.notReadyReasons(), ['stage log traces.ingest: consumer group not joined yet'], 'the forwarder\'s reasons are the service\'s');
  t.equal(seen.store, undefined, 'processors without admission are left to the forwarding side');
  t.same(Buffer.from((await svc.stateStore().get('k'))!).toString(), 'value of k', 'the state store is read through the forwarder');
  t.same(await svc.stateStore().list('p:'), ['p:a']);
  await t.rejects(svc.stateStore().put('k', 'v'), { name: 'PermanentError', message: /read-only/ }, 'and only read');
  t.match(await svc.shutdown(), [{ message: 'exporter file: disk full' }], 'the forwarder\'s shutdown errors are the service\'s');
  t.same(events.at(-1), 'shutdown, receiver listening: false, deadline ahead: true');
});

/** The stage logs whose capacity a service's own registry reports. */
async function capacities(svc: Service): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await svc.metrics.stageLogCapacity.get()).values) out[String(v.labels.log)] = v.value;
  return out;
}

t.test('each side builds its half: the receivers\' logs are produced into on the ingest side, the connectors\' on the forward side', async (t) => {
  const dir = tempDir();
  const yaml = `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${await freePort()} } } }
processors:
  memory_limiter: { check_interval: 1s, limit_mib: 4000 }
  stateful_test: {}
connectors:
  forward: {}
exporters:
  file: { path: ${join(dir, 'out.jsonl')} }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], processors: [memory_limiter, stateful_test], exporters: [forward] }
    traces/out: { receivers: [forward], exporters: [file] }
`;
  const forwarder: Forwarder = {
    start: async () => {}, notReadyReasons: () => [], shutdown: async () => [], metrics: async () => [], readState: async () => ({ value: undefined }),
    append: async () => ({ logBytes: 0 }), logBytes: () => 0,
  };
  const MIB64 = 64 * 1024 * 1024;
  const ingest = await serviceFrom(dir, yaml, stateful, { role: 'ingest', forwarder });
  t.same(await capacities(ingest), { 'traces.ingest': MIB64 }, 'ingest: only the log the receiver feeds');
  const forward = await serviceFrom(dir, yaml, stateful, { role: 'forward' });
  t.same(await capacities(forward), { 'traces/out.ingest': MIB64 }, 'forward: only the log the connector feeds; it consumes traces.ingest without producing');
  const all = await serviceFrom(dir, yaml, stateful);
  t.same(await capacities(all), { 'traces.ingest': MIB64, 'traces/out.ingest': MIB64 }, 'one thread: both, once each');

  // The ingest side admits with a memory_limiter of its own and starts nothing else of the chain.
  seen.events = [];
  await ingest.start();
  t.same(seen.events, [], 'the stateful processor is left to the forward side');
  t.same(await ingest.shutdown(), []);
});

/** What the looking-up extension found at its start. */
const lookedUp: { found?: ReadonlyMap<string, Extension> } = {};
/** An extension that looks the others up from the host at start, as a query API finds health_check. */
const looking: ExtensionFactory<Record<string, never>> = {
  type: 'lookup_test', kind: 'extension', stability: {}, configSchema: z.strictObject({}),
  createDefaultConfig: () => ({}),
  create: (): Extension => ({
    async start(host) { lookedUp.found = host.getExtensions(); },
    async shutdown() {},
  }),
};

t.test('getExtensions: every configured extension by its id, from the first start on', async (t) => {
  const [a, b] = [await freePort(), await freePort()];
  const svc = await serviceFrom(tempDir(), `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${await freePort()} } } }
exporters:
  debug: {}
extensions:
  lookup_test: {}
  health_check: { endpoint: 127.0.0.1:${a} }
  health_check/internal: { endpoint: 127.0.0.1:${b}, path: /ready }
service:
  telemetry: { metrics: { level: none } }
  extensions: [lookup_test, health_check, health_check/internal]
  pipelines:
    traces: { receivers: [otlp], exporters: [debug] }
`, looking);
  await svc.start();
  t.teardown(() => svc.shutdown());
  t.same([...lookedUp.found!.keys()], ['lookup_test', 'health_check', 'health_check/internal'], 'ids as configured, in service order; the later ones too');
  t.equal(lookedUp.found, svc.getExtensions(), 'the host\'s map');
  t.equal((await fetch(`http://127.0.0.1:${b}/ready`)).status, 200, 'and they are the running instances');
});
