/** The self-metrics endpoint: GET /metrics in Prometheus text, an empty 404 for anything else. */
import { pino } from 'pino';
import t from 'tap';
import { freePort } from '../test/daemon.js';
import { SelfMetrics } from './telemetry.js';
import { TelemetryServer } from './telemetry-server.js';

t.test('GET /metrics answers the exposition; other paths and methods are empty 404s', async (t) => {
  const port = await freePort();
  const metrics = new SelfMetrics();
  metrics.kafkaConsumed.inc({ consumer: 'traces.ingest', topic: 't' }, 3);
  const server = new TelemetryServer(`127.0.0.1:${port}`, metrics, pino({ level: 'silent' }));
  await server.start();
  t.teardown(() => server.shutdown(Date.now() + 1000));
  const url = `http://127.0.0.1:${port}`;
  for (const path of ['/metrics', '/metrics?name[]=x']) {
    const res = await fetch(`${url}${path}`);
    t.equal(res.status, 200, path);
    t.equal(res.headers.get('content-type'), metrics.registry.contentType);
    t.match(await res.text(), /vigil_kafka_consumer_records_total\{consumer="traces\.ingest",topic="t"\} 3/);
  }
  for (const [method, path] of [['GET', '/'], ['GET', '/metricsx'], ['POST', '/metrics'], ['HEAD', '/metrics']] as const) {
    const res = await fetch(`${url}${path}`, { method });
    t.equal(res.status, 404, `${method} ${path}`);
    t.equal(await res.text(), '', `${method} ${path}: no body`);
  }
});

t.test('a taken address fails the start, naming the telemetry and the address', async (t) => {
  const port = await freePort();
  const first = new TelemetryServer(`127.0.0.1:${port}`, new SelfMetrics(), pino({ level: 'silent' }));
  await first.start();
  t.teardown(() => first.shutdown());
  const second = new TelemetryServer(`127.0.0.1:${port}`, new SelfMetrics(), pino({ level: 'silent' }));
  await t.rejects(second.start(), { name: 'ListenError', message: new RegExp(`^telemetry: cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`) });
});
