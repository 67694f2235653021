import * as grpc from '@grpc/grpc-js';
import t, { type Test } from 'tap';
import { waitFor } from '../../test/wait.js';
import { decodeProtobuf, encodeExportResponse, encodeStatus } from '../../pdata/index.js';
import type { Signal } from '../../pdata/payload.js';
import { NoopHost } from '../../test/doubles.js';
import { benchPayload, capturedSettings, metricValue, samplePayload } from '../exporterhelper/test-support.js';
import { configSchema } from './config.js';
import { EXPORT_PATH } from './exporter.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

type Handler = (req: Buffer, md: grpc.Metadata, signal: Signal) => Promise<{ response?: Uint8Array; error?: Partial<grpc.StatusObject> }>;

/** An OTLP/gRPC server on 127.0.0.1:0 whose answers the test chooses. */
async function server(t: Test, handler: { fn: Handler }) {
  const s = new grpc.Server();
  const calls: Array<{ signal: Signal; bytes: Buffer; at: number; md: grpc.Metadata }> = [];
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    s.addService({
      Export: {
        path: EXPORT_PATH[signal], requestStream: false, responseStream: false,
        requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b,
      },
    }, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        calls.push({ signal, bytes: call.request, at: Date.now(), md: call.metadata });
        handler.fn(call.request, call.metadata, signal).then(({ response, error }) => {
          if (error) cb(error);
          else cb(null, Buffer.from(response ?? new Uint8Array(0)));
        }, (err: Error) => cb({ code: grpc.status.INTERNAL, details: err.message }));
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) =>
    s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  t.teardown(() => s.forceShutdown());
  return { endpoint: `127.0.0.1:${port}`, calls };
}

const ok: Handler = async () => ({});
const hang: Handler = () => new Promise(() => {});
const statusDetails = (code: grpc.status, msg: string, delayMs?: number) => {
  const md = new grpc.Metadata();
  md.set('grpc-status-details-bin', Buffer.from(encodeStatus(code, msg, delayMs)));
  return { code, details: msg, metadata: md };
};

async function exporter(t: Test, endpoint: string, extra: Record<string, unknown> = {}) {
  const { settings, lines } = capturedSettings('otlp_grpc', 'warn');
  const e = factory.create(settings, configSchema.parse({ endpoint, tls: { insecure: true }, ...extra }));
  await e.start(new NoopHost());
  t.teardown(() => e.shutdown(Date.now() + 1000));
  return { e, settings, lines };
}

t.test('bytes arrive unchanged for every signal, gzip and none, with headers', async (t) => {
  for (const compression of ['gzip', 'none']) {
    const handler = { fn: ok };
    const { endpoint, calls } = await server(t, handler);
    const { e, settings } = await exporter(t, endpoint, { compression, headers: { 'X-Tenant': 'acme' } });
    const payloads = [await samplePayload('traces', 5), await samplePayload('metrics'), await samplePayload('logs', 3)];
    for (const p of payloads) await e.consume(p);
    t.equal(calls.length, 3);
    calls.forEach((c, i) => {
      t.equal(c.signal, payloads[i]!.signal);
      t.ok(c.bytes.equals(Buffer.from(payloads[i]!.bytes)), `${compression}: ${c.signal} bytes unchanged`);
    });
    t.same(calls[0]!.md.get('x-tenant'), ['acme']);
    t.equal(await metricValue(settings, 'otelcol_exporter_sent_spans_total'), 5);
  }
});

t.test('two hops: the server decodes what it got', async (t) => {
  const decoded: number[] = [];
  const { endpoint } = await server(t, {
    fn: async (req, _md, signal) => {
      const r = decodeProtobuf(signal, req);
      decoded.push(r.payload!.itemCount);
      return { response: encodeExportResponse(signal, 0, '') };
    },
  });
  const { e } = await exporter(t, endpoint);
  await e.consume(benchPayload(512));
  await e.consume(await samplePayload('logs', 4));
  t.same(decoded, [512, 4]);
});

t.test('messages go out of a pool of buffers: concurrent calls never share one, a reused one carries only its own bytes', async (t) => {
  // The server holds every call until four are in, so four copies are in flight at once.
  const waiting: Array<() => void> = [];
  const { endpoint, calls } = await server(t, {
    fn: () => new Promise((resolve) => {
      waiting.push(() => resolve({}));
      if (waiting.length === 4) for (const go of waiting.splice(0)) go();
    }),
  });
  const { e } = await exporter(t, endpoint);
  const big = [benchPayload(600), benchPayload(500), benchPayload(400), benchPayload(300)];
  await Promise.all(big.map((p) => e.consume(p)));
  // Then one at a time, smaller than the buffers given back: each lands in a reused, larger buffer.
  const small = [benchPayload(200), benchPayload(50), benchPayload(7)];
  for (const p of small) {
    const sent = e.consume(p);
    await waitFor('the call at the server', () => waiting.length === 1, 5_000, 5);
    waiting.shift()!();
    await sent;
  }
  const want = [...big, ...small].map((p) => p.bytes);
  t.equal(calls.length, want.length);
  const got = calls.map((c) => c.bytes);
  for (const w of want) t.ok(got.some((g) => g.equals(Buffer.from(w))), `a request of ${w.length} bytes arrived whole`);
});

t.test('partial success: rejected items are counted as failed and logged', async (t) => {
  const { endpoint } = await server(t, { fn: async (_r, _m, signal) => ({ response: encodeExportResponse(signal, 2, 'two spans too old') }) });
  const { e, settings, lines } = await exporter(t, endpoint);
  await e.consume(await samplePayload('traces', 5));
  t.equal(await metricValue(settings, 'otelcol_exporter_sent_spans_total'), 3);
  t.equal(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total'), 2);
  t.match(lines.find((l) => l.rejected === 2), { reason: 'two spans too old' });
});

t.test('UNAVAILABLE with RetryInfo: retried after the server\'s delay, not the backoff\'s', async (t) => {
  let n = 0;
  const { endpoint, calls } = await server(t, {
    fn: async () => (++n === 1 ? { error: statusDetails(grpc.status.UNAVAILABLE, 'busy', 300) } : {}),
  });
  const { e } = await exporter(t, endpoint, { retry_on_failure: { initial_interval: '10s', max_interval: '10s' } });
  await e.consume(await samplePayload('traces', 1));
  t.equal(calls.length, 2);
  const gap = calls[1]!.at - calls[0]!.at;
  t.ok(gap >= 290 && gap < 2000, `waited the RetryInfo delay (${gap} ms)`);
});

t.test('RESOURCE_EXHAUSTED: retryable only with RetryInfo', async (t) => {
  let withInfo = true;
  let n = 0;
  const { endpoint, calls } = await server(t, {
    fn: async () => {
      n++;
      if (withInfo && n === 1) return { error: statusDetails(grpc.status.RESOURCE_EXHAUSTED, 'slow down', 50) };
      if (!withInfo) return { error: { code: grpc.status.RESOURCE_EXHAUSTED, details: 'over quota' } };
      return {};
    },
  });
  const { e, settings } = await exporter(t, endpoint, { retry_on_failure: { initial_interval: '10ms' } });
  await e.consume(await samplePayload('traces', 1));
  t.equal(calls.length, 2, 'retried with RetryInfo');
  withInfo = false;
  await t.rejects(e.consume(await samplePayload('traces', 1)), { name: 'PermanentError', message: /RESOURCE_EXHAUSTED: over quota/ });
  t.equal(calls.length, 3, 'not retried without RetryInfo');
  t.equal(await metricValue(settings, 'otelcol_exporter_send_failed_spans_total'), 1);
});

t.test('permanent codes are not retried; retryable ones are, with backoff', async (t) => {
  let code = grpc.status.INVALID_ARGUMENT;
  const { endpoint, calls } = await server(t, { fn: async () => ({ error: { code, details: 'nope' } }) });
  const { e } = await exporter(t, endpoint, { retry_on_failure: { initial_interval: '20ms', max_interval: '20ms', max_elapsed_time: '150ms' } });
  await t.rejects(e.consume(await samplePayload('traces', 1)), { name: 'PermanentError', message: /INVALID_ARGUMENT: nope/ });
  t.equal(calls.length, 1);
  code = grpc.status.UNAVAILABLE;
  calls.length = 0;
  await t.rejects(e.consume(await samplePayload('traces', 1)), { name: 'PermanentError', message: /retries exhausted/ });
  t.ok(calls.length >= 3, `retried until max_elapsed_time (${calls.length} attempts)`);
});

t.test('timeout per attempt', async (t) => {
  const { endpoint, calls } = await server(t, { fn: hang });
  const { e } = await exporter(t, endpoint, { timeout: '100ms', retry_on_failure: { enabled: false } });
  const start = Date.now();
  await t.rejects(e.consume(await samplePayload('traces', 1)), { name: 'PermanentError', message: /timed out after 100ms|DEADLINE_EXCEEDED/ });
  const took = Date.now() - start;
  t.ok(took >= 90 && took < 3_000, `gave up after ~100ms (${took})`);
  t.equal(calls.length, 1);
});

t.test('sending queue full → QueueFullError; shutdown deadline respected', async (t) => {
  const { endpoint, calls } = await server(t, { fn: hang });
  const { e, settings } = await exporter(t, endpoint, { timeout: '0s', sending_queue: { num_consumers: 1, queue_size: 1 } });
  const p = await samplePayload('traces', 1);
  const first = e.consume(p);
  const second = e.consume(p);
  first.catch(() => {});
  second.catch(() => {});
  await t.rejects(e.consume(p), { name: 'QueueFullError' });
  t.equal(await metricValue(settings, 'otelcol_exporter_queue_size'), 1);
  t.equal(await metricValue(settings, 'otelcol_exporter_queue_capacity'), 1);
  await waitFor('the first send', () => calls.length > 0, 5_000, 5);
  const start = Date.now();
  await e.shutdown(Date.now() + 200);
  const took = Date.now() - start;
  t.ok(took >= 190 && took < 3_000, `shutdown waited for the in-flight send until the deadline (${took} ms)`);
  await t.rejects(first, { name: 'UnavailableError' }, 'in-flight send handed back as retryable');
  await t.rejects(second, { name: 'UnavailableError' }, 'queued batch handed back as retryable');
});

t.test('config rules', async (t) => {
  const { issueOf } = await import('../exporterhelper/test-support.js');
  t.match(issueOf(configSchema, {}), /^endpoint: expected the endpoint/);
  t.match(issueOf(configSchema, { endpoint: 'otelcol' }), /^endpoint: expected an endpoint like/);
  t.equal(issueOf(configSchema, { endpoint: 'otelcol:4317', compression: 'snappy' }), 'compression: compression "snappy" is not supported: use "gzip" or "none"');
  t.equal(issueOf(configSchema, { endpoint: 'https://otelcol:4317' }), 'valid');
  const c = configSchema.parse({ endpoint: 'otelcol:4317' });
  t.match(c, {
    compression: 'gzip', timeout: 5000, tls: { insecure: false },
    retry_on_failure: { enabled: true, initial_interval: 5000, randomization_factor: 0.5, multiplier: 1.5, max_interval: 30000, max_elapsed_time: 300000 },
    sending_queue: { enabled: true, num_consumers: 10, queue_size: 1000 },
  });
});
