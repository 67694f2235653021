import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { waitFor } from '../../test/wait.js';
import { encodeExportResponse, encodeStatus, exportResponseJson, fromJson } from '../../pdata/index.js';
import { NoopHost } from '../../test/doubles.js';
import { capturedSettings, issueOf, metricValue, samplePayload } from '../exporterhelper/test-support.js';
import { configSchema, signalUrl } from './config.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

interface Got { path: string; headers: IncomingMessage['headers']; body: Buffer; at: number }
type Answer = (got: Got, res: ServerResponse) => void;

/** An OTLP/HTTP server on 127.0.0.1:0 whose answers the test chooses. */
async function server(t: Test, answer: { fn: Answer }) {
  const calls: Got[] = [];
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const got = { path: req.url ?? '', headers: req.headers, body, at: Date.now() };
      calls.push(got);
      answer.fn(got, res);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.teardown(() => { s.closeAllConnections(); s.close(); });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, calls };
}

const ok: Answer = (_g, res) => { res.writeHead(200, { 'content-type': 'application/x-protobuf' }); res.end(); };

async function exporter(t: Test, config: Record<string, unknown>) {
  const { settings, lines } = capturedSettings('otlp_http', 'warn');
  const e = factory.create(settings, configSchema.parse(config));
  await e.start(new NoopHost());
  t.teardown(() => e.shutdown(Date.now() + 1000));
  return { e, settings, lines };
}

t.test('protobuf bytes arrive unchanged at /v1/<signal>, gzip by default, with headers', async (t) => {
  const { url, calls } = await server(t, { fn: ok });
  const { e, settings } = await exporter(t, { endpoint: `${url}/`, headers: { 'X-Tenant': 'acme' } });
  const payloads = [await samplePayload('traces', 5), await samplePayload('metrics'), await samplePayload('logs', 3)];
  for (const p of payloads) await e.consume(p);
  t.same(calls.map((c) => c.path), ['/v1/traces', '/v1/metrics', '/v1/logs']);
  calls.forEach((c, i) => t.ok(c.body.equals(Buffer.from(payloads[i]!.bytes)), `${payloads[i]!.signal} bytes unchanged`));
  t.equal(calls[0]!.headers['content-encoding'], 'gzip');
  t.equal(calls[0]!.headers['content-type'], 'application/x-protobuf');
  t.equal(calls[0]!.headers['x-tenant'], 'acme');
  t.equal(await metricValue(settings, 'otelcol_exporter_sent_spans_total'), 5);
});

t.test('json encoding, per-signal endpoint, no compression', async (t) => {
  const { url, calls } = await server(t, { fn: ok });
  const { e } = await exporter(t, { endpoint: url, logs_endpoint: `${url}/custom/logs`, encoding: 'json', compression: 'none' });
  const p = await samplePayload('logs', 2);
  await e.consume(p);
  t.equal(calls[0]!.path, '/custom/logs');
  t.equal(calls[0]!.headers['content-type'], 'application/json');
  t.equal(calls[0]!.headers['content-encoding'], undefined);
  t.ok(Buffer.from(fromJson('logs', calls[0]!.body).payload!.bytes).equals(Buffer.from(p.bytes)), 'the JSON decodes back to the same request');
});

t.test('partial success in protobuf and JSON responses', async (t) => {
  let json = false;
  const { url } = await server(t, {
    fn: (_g, res) => {
      if (json) { res.writeHead(200, { 'content-type': 'application/json' }); res.end(exportResponseJson('traces', 1, 'one too old')); }
      else { res.writeHead(200, { 'content-type': 'application/x-protobuf' }); res.end(encodeExportResponse('traces', 2, 'two too old')); }
    },
  });
  const { e, settings } = await exporter(t, { endpoint: url });
  await e.consume(await samplePayload('traces', 5));
  json = true;
  await e.consume(await samplePayload('traces', 5));
  t.equal(await metricValue(settings, 'otelcol_exporter_sent_spans_total'), 7);
  t.equal(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total'), 3);
});

t.test('503 with Retry-After seconds is retried after that delay', async (t) => {
  let n = 0;
  const { url, calls } = await server(t, {
    fn: (_g, res) => {
      if (++n > 1) return ok(_g, res);
      res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/x-protobuf' });
      res.end(encodeStatus(14, 'busy'));
    },
  });
  const { e } = await exporter(t, { endpoint: url, retry_on_failure: { initial_interval: '10ms' } });
  await e.consume(await samplePayload('traces', 1));
  const gap = calls[1]!.at - calls[0]!.at;
  t.ok(gap >= 990 && gap < 2500, `waited Retry-After: 1 (${gap} ms), not 10ms`);
});

t.test('429 with an HTTP-date Retry-After', async (t) => {
  let n = 0;
  const { url, calls } = await server(t, {
    fn: (_g, res) => {
      if (++n > 1) return ok(_g, res);
      res.writeHead(429, { 'retry-after': new Date(Date.now() + 2000).toUTCString() });
      res.end();
    },
  });
  const { e } = await exporter(t, { endpoint: url, retry_on_failure: { initial_interval: '10ms' } });
  await e.consume(await samplePayload('traces', 1));
  const gap = calls[1]!.at - calls[0]!.at;
  // HTTP dates have whole seconds, so the wait is between 1 and 2 s.
  t.ok(gap >= 900 && gap < 2600, `waited until the date (${gap} ms)`);
});

t.test('4xx is permanent, with the Status message; not retried', async (t) => {
  const { url, calls } = await server(t, {
    fn: (_g, res) => { res.writeHead(400, { 'content-type': 'application/json' }); res.end(JSON.stringify({ code: 3, message: 'trace id must be 16 bytes' })); },
  });
  const { e, settings, lines } = await exporter(t, { endpoint: url });
  await t.rejects(e.consume(await samplePayload('traces', 2)), { name: 'PermanentError', message: 'HTTP 400: trace id must be 16 bytes' });
  t.equal(calls.length, 1);
  t.equal(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total'), 2);
  t.equal(lines.filter((l) => /dropped/.test(l.msg)).length, 1, 'logged once');
  await t.rejects(e.consume(await samplePayload('traces', 2)), { name: 'PermanentError' });
  t.equal(lines.filter((l) => /dropped/.test(l.msg)).length, 1, 'still once: one line per burst');
});

t.test('connection refused is retryable; retry disabled drops it', async (t) => {
  const { url } = await server(t, { fn: ok });
  const dead = url.replace(/:\d+$/, ':1');
  const { e } = await exporter(t, { endpoint: dead, retry_on_failure: { enabled: false } });
  await t.rejects(e.consume(await samplePayload('traces', 1)), { name: 'PermanentError', message: /retry_on_failure is disabled.*ECONNREFUSED/ });
});

t.test('queue full and shutdown deadline', async (t) => {
  const { url, calls } = await server(t, { fn: () => {} });
  const { e } = await exporter(t, { endpoint: url, timeout: '0s', sending_queue: { num_consumers: 1, queue_size: 1 } });
  const p = await samplePayload('traces', 1);
  const first = e.consume(p);
  const second = e.consume(p);
  first.catch(() => {});
  second.catch(() => {});
  await t.rejects(e.consume(p), { name: 'QueueFullError' });
  await waitFor('the first send', () => calls.length > 0, 5_000, 5);
  const start = Date.now();
  await e.shutdown(Date.now() + 200);
  const took = Date.now() - start;
  t.ok(took >= 190 && took < 3_000, `shutdown respected its deadline (${took} ms)`);
  await t.rejects(first, { name: 'UnavailableError' });
  await t.rejects(second, { name: 'UnavailableError' });
});

t.test('config', async (t) => {
  const c = configSchema.parse({ endpoint: 'https://collector:4318/base' });
  t.match(c, { encoding: 'proto', compression: 'gzip', timeout: 30_000, sending_queue: { queue_size: 1000 } });
  t.equal(signalUrl(c, 'metrics'), 'https://collector:4318/base/v1/metrics');
  t.equal(issueOf(configSchema, {}), 'endpoint: set endpoint (or traces_endpoint, metrics_endpoint, logs_endpoint)');
  t.equal(issueOf(configSchema, { endpoint: 'collector:4318' }), 'endpoint: expected an http:// or https:// URL for endpoint, got "collector:4318"');
  t.equal(issueOf(configSchema, { endpoint: 'http://c:4318', compression: 'zstd' }), 'compression: compression "zstd" is not supported: use "gzip", "deflate" or "none"');
  t.equal(issueOf(configSchema, { endpoint: 'http://c:4318', encoding: 'xml' }), 'encoding: expected "proto" or "json"');
  t.equal(issueOf(configSchema, { traces_endpoint: 'http://c:4318/t' }), 'valid');
});
