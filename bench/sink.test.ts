import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import { decodeProtobuf, makeRealisticTraceRequest } from '../pdata/index.js';
import { makeRequestRing, traceIdOffsets } from './requests.js';
import { CountingSink, countSpans } from './sink.js';
import { grpcSender } from './transports.js';

t.test('countSpans agrees with the full decoder', async (t) => {
  for (const n of [1, 7, 512, 2000]) {
    const bytes = makeRealisticTraceRequest(n);
    t.equal(countSpans(bytes), n);
    t.equal(decodeProtobuf('traces', bytes).payload?.itemCount, n);
  }
  t.equal(countSpans(new Uint8Array(0)), 0, 'empty request');
  t.throws(() => countSpans(Uint8Array.of(0x0a, 0x05, 0x12)), /past|truncated/, 'length past the end');
});

t.test('the ring: valid requests with distinct trace ids per copy', async (t) => {
  const ring = makeRequestRing(4, 64);
  t.equal(ring.requests.length, 4);
  const seen = new Set<string>();
  for (const req of ring.requests) {
    const r = decodeProtobuf('traces', req);
    t.equal(r.payload?.itemCount, 64);
    t.equal(r.rejected, 0);
    const ids = traceIdOffsets(req).map((at) => req.subarray(at, at + 16).toString('hex'));
    t.equal(new Set(ids).size, 8, '64 spans in traces of 8');
    for (const id of new Set(ids)) seen.add(id);
  }
  t.equal(seen.size, 32, 'no trace id shared between copies');
});

t.test('the sink counts what a client sends and rejects garbage', async (t) => {
  const sink = new CountingSink();
  const port = await sink.start();
  t.teardown(() => sink.stop());
  const sender = grpcSender(`127.0.0.1:${port}`);
  t.teardown(() => sender.close());
  const ring = makeRequestRing(2, 512);
  for (let i = 0; i < 5; i++) t.same(await sender.send(ring.requests[i % 2]!), { kind: 'ok' });
  t.equal(sink.counts.spans, 2560);
  t.equal(sink.counts.requests, 5);
  const bad = await sender.send(Buffer.from([0x0a, 0x7f]));
  t.equal(bad.kind, 'error');
  t.match((bad as { message: string }).message, grpc.status[grpc.status.INVALID_ARGUMENT]);
  t.equal(sink.counts.malformed, 1);
});

t.test('the sink grants 16 MiB receive windows, as a Go gRPC server grows to', async (t) => {
  const { connect } = await import('node:http2');
  const sink = new CountingSink();
  const port = await sink.start();
  t.teardown(() => sink.stop());
  const session = connect(`http://127.0.0.1:${port}`);
  t.teardown(() => session.close());
  const settings = await new Promise<{ initialWindowSize?: number }>((resolve) => session.once('remoteSettings', resolve));
  t.equal(settings.initialWindowSize, 16 * 1024 * 1024, 'per stream');
  await t.resolves(new Promise<void>((resolve) => { const check = () => (session.state.remoteWindowSize ?? 0) > 1024 * 1024 ? resolve() : setTimeout(check, 10); check(); }), 'per connection');
});

t.test('metrics export requests are answered OK and counted apart from spans', async (t) => {
  const sink = new CountingSink();
  const port = await sink.start();
  t.teardown(() => sink.stop());
  const session = http2.connect(`http://127.0.0.1:${port}`);
  t.teardown(() => session.close());
  const status = await new Promise<string | undefined>((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', 'content-type': 'application/grpc' });
    let grpcStatus: string | undefined;
    req.on('trailers', (h) => { grpcStatus = String(h['grpc-status']); });
    req.on('data', () => {});
    req.on('end', () => resolve(grpcStatus));
    req.on('error', reject);
    req.end(Buffer.from([0, 0, 0, 0, 2, 0x0a, 0x00]));
  });
  t.equal(status, '0');
  t.same({ spans: sink.counts.spans, metricsRequests: sink.counts.metricsRequests }, { spans: 0, metricsRequests: 1 });
});
