/**
 * The real daemon with Redis state: baselines learned by one daemon survive its `kill -9`. The
 * memory queue redelivers nothing, so the next daemon can only know the history from the Redis
 * checkpoint — and it catches the first breach with it.
 */
import { createServer } from 'node:http';
import t, { type Test } from 'tap';
import { Redis } from 'ioredis';
import { decodeProtobuf, forEachLogRecord, MetricsBuilder, type Attributes, type Payload } from '../../pdata/index.js';
import { Daemon, freePort } from '../../test/daemon.js';
import { unique } from '../../test/kafka.js';
import { redisAvailable, requireService } from '../../test/services.js';
import { waitFor } from '../../test/wait.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 19, 8, 0, 0); // a week ago: event time
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const traceId = (m: number, i: number): string => `${m.toString(16).padStart(16, '0')}${i.toString(16).padStart(16, '0')}`;

/** red_indicators-shaped windows [from, to) of GET /cart at `p95` ms, 120 calls each, 3 exemplars each. */
function windows(from: number, to: number, p95: number): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope({ 'service.name': 'checkout' }, { name: 'vigil.red_indicators' });
  for (let m = from; m < to; m++) {
    const point = { attributes: { 'service.name': 'checkout', 'span.name': 'GET /cart' }, startTimeUnixNano: ns(T0 + m * MIN), timeUnixNano: ns(T0 + (m + 1) * MIN) };
    scope.gauge({ name: 'vigil.red.calls', unit: '{call}' }, { ...point, value: 120 });
    const exemplars = [0, 1, 2].map((i) => ({ value: p95 + i, timeUnixNano: point.timeUnixNano, traceId: traceId(m, i) }));
    scope.gauge({ name: 'vigil.red.latency.p95', unit: 'ms' }, { ...point, value: p95, exemplars });
  }
  return b.build()!;
}

async function post(port: number, payload: Payload): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(payload.bytes) });
  await res.arrayBuffer();
  return res.status;
}

/** An OTLP/HTTP logs endpoint collecting event attributes. */
async function logsSink(t: Test): Promise<{ port: number; events: Attributes[] }> {
  const sink = { port: 0, events: [] as Attributes[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { payload } = decodeProtobuf('logs', Buffer.concat(chunks));
      if (payload) forEachLogRecord(payload, (r) => sink.events.push({ ...r.attributes, event: r.eventName }));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.address() as { port: number }).port;
  t.teardown(() => { server.close(); });
  return sink;
}

t.test('kill -9 after three hours of history: the next daemon reloads the baseline from Redis and catches the breach', async (t) => {
  if (!requireService(t, 'Redis', await redisAvailable())) return;
  const prefix = unique('vigil-baseline');
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  t.teardown(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  const sink = await logsSink(t);
  const config = (http: number, health: number) => `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${http} } } }
processors:
  baseline:
    rules: [{ name: latency, metrics: [vigil.red.latency.p95], direction: up, relative: 0.5, for: 1m }]
    checkpoint_interval: 200ms
connectors:
  events:
exporters:
  otlphttp/events: { endpoint: http://127.0.0.1:${sink.port}, compression: none }
extensions:
  health_check: { endpoint: 127.0.0.1:${health} }
service:
  extensions: [health_check]
  telemetry: { metrics: { level: none }, logs: { level: warn } }
  queue: { type: memory, memory: { partitions: 1 } }
  state: { type: redis, redis: { endpoint: localhost:6379, key_prefix: ${prefix} } }
  pipelines:
    metrics: { receivers: [otlp], processors: [baseline], exporters: [events] }
    logs/degradations: { receivers: [events], exporters: [otlphttp/events] }
`;
  const portsA = [await freePort(), await freePort()] as const;
  const a = await Daemon.start(config(...portsA), portsA[1]);
  t.teardown(() => a.stop('SIGKILL'));
  t.equal(await post(portsA[0], windows(0, 180, 100)), 200, 'three hours of 100 ms accepted');
  const saved = async (): Promise<boolean> => {
    const keys = await redis.keys(`${prefix}*state*baseline*`);
    for (const k of keys) {
      const fields = await redis.hkeys(k);
      if (fields.filter((f) => f.startsWith('s:')).length === 2) return true; // p95 and calls (no offset: the memory queue's are not durable)
    }
    return false;
  };
  await waitFor('the checkpoint in Redis', saved, 30_000, 100);
  await a.stop('SIGKILL');
  t.same(sink.events, [], 'nothing raised while normal');

  const portsB = [await freePort(), await freePort()] as const;
  const b = await Daemon.start(config(...portsB), portsB[1]);
  t.teardown(() => b.stop('SIGKILL'));
  t.equal(await post(portsB[0], windows(180, 182, 160)), 200, 'two windows at 160 ms');
  const ev = await waitFor('the degradation event from the second daemon', () => sink.events.find((e) => e.event === 'vigil.degradation'), 60_000, 100)
    .catch((err: unknown) => { throw new Error(`${String(err)}\ndaemon B stderr:\n${b.stderr.slice(-3000)}`); });
  t.match(ev, { rule: 'latency', expected: 100, value: 160, 'service.name': 'checkout', 'span.name': 'GET /cart' });
  t.equal((ev['evidence.trace_ids'] as string[]).length, 5, 'five trace ids of the breach\'s windows');
  t.equal(await b.stop(), 0);
});
