/**
 * OTLP/gRPC answers: INVALID_ARGUMENT for bad input, RESOURCE_EXHAUSTED for oversized messages and
 * full queues (with RetryInfo in grpc-status-details-bin), UNAVAILABLE / INTERNAL for the rest,
 * gzip-compressed calls, partial success. After all of it the receiver still serves.
 */
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { PermanentError, QueueFullError, UnavailableError } from '../../pipeline/errors.js';
import { configSchema } from './config.js';
import { serverOptions } from './grpc.js';
import { decodePartialSuccess, decodeStatus, grpcClient, makeSpans, startReceiver, traceRequest } from './test-support.js';

const GZIP = { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip };

async function callError(p: Promise<unknown>): Promise<grpc.ServiceError> {
  return p.then(() => { throw new Error('expected the call to fail'); }, (e: grpc.ServiceError) => e);
}

/** The google.rpc.Status a server put in grpc-status-details-bin. */
function details(err: grpc.ServiceError): ReturnType<typeof decodeStatus> | undefined {
  const bin = err.metadata?.get('grpc-status-details-bin')[0];
  return bin ? decodeStatus(bin as Buffer) : undefined;
}

function withTraceId(spans: ReadableSpan[], index: number, traceId: string): ReadableSpan[] {
  return spans.map((s, i) => (i !== index ? s : Object.assign(Object.create(Object.getPrototypeOf(s) as object) as ReadableSpan, s, {
    spanContext: () => ({ ...s.spanContext(), traceId }),
  })));
}

t.test('bad input, oversized messages and pipeline refusals', async (t) => {
  const r = await startReceiver({ grpc: { max_recv_msg_size_mib: 1 } });
  t.teardown(() => r.stop());
  const plain = grpcClient(r.addresses.grpc!, 'traces');
  const gzip = grpcClient(r.addresses.grpc!, 'traces', GZIP);
  t.teardown(() => { plain.close(); gzip.close(); });

  const bad = await callError(plain.export(Buffer.from([0x0a, 0xff, 0xff, 0x01])));
  t.equal(bad.code, grpc.status.INVALID_ARGUMENT, 'malformed protobuf: INVALID_ARGUMENT');
  t.ok(bad.details.length > 0, `with a message: ${bad.details}`);
  t.equal(details(bad)?.code, grpc.status.INVALID_ARGUMENT, 'and a google.rpc.Status in the trailer');

  const shortId = await callError(plain.export(ProtobufTraceSerializer.serializeRequest(withTraceId(makeSpans(1), 0, '0102030405'))!));
  t.equal(shortId.code, grpc.status.INVALID_ARGUMENT, '5-byte trace id: INVALID_ARGUMENT');

  const tooBig = await callError(plain.export(Buffer.alloc(1024 * 1024 + 10)));
  t.equal(tooBig.code, grpc.status.RESOURCE_EXHAUSTED, 'message over max_recv_msg_size_mib: RESOURCE_EXHAUSTED');
  const inflatesTooBig = await callError(gzip.export(Buffer.alloc(2 * 1024 * 1024)));
  t.equal(inflatesTooBig.code, grpc.status.RESOURCE_EXHAUSTED, 'gzip message inflating over the limit: RESOURCE_EXHAUSTED');
  // grpc-js says "decompresses to" only for a compressed message: proof the client really used gzip.
  t.match(inflatesTooBig.details, /decompresses/, `caught while inflating: ${inflatesTooBig.details}`);

  const sink = r.sinks.traces;
  sink.fail = new QueueFullError('stage log full', 1500);
  const full = await callError(plain.export(traceRequest(1)));
  t.equal(full.code, grpc.status.RESOURCE_EXHAUSTED, 'queue full: RESOURCE_EXHAUSTED');
  t.same(details(full), { code: grpc.status.RESOURCE_EXHAUSTED, message: 'stage log full', retryDelayMs: 1500 }, 'RetryInfo in grpc-status-details-bin makes it retryable');
  sink.fail = new QueueFullError('stage log full');
  t.equal(details(await callError(plain.export(traceRequest(1))))?.retryDelayMs, 1000, 'a default delay when the error has none');

  // Garbage would be INVALID_ARGUMENT; a full pipeline refuses it first, without decoding it.
  sink.fail = undefined;
  sink.full = new QueueFullError('stage log full', 1500);
  const early = await callError(plain.export(Buffer.from([0x0a, 0xff, 0xff, 0x01])));
  t.equal(early.code, grpc.status.RESOURCE_EXHAUSTED, 'full before decoding: RESOURCE_EXHAUSTED, not INVALID_ARGUMENT');
  t.equal(sink.checked.at(-1), 4, 'asked with the request size');
  sink.full = undefined;

  sink.fail = new UnavailableError('memory limit', 2000);
  const unavailable = await callError(plain.export(traceRequest(1)));
  t.equal(unavailable.code, grpc.status.UNAVAILABLE, 'UnavailableError: UNAVAILABLE');
  t.equal(details(unavailable)?.retryDelayMs, 2000, 'with its RetryInfo');
  sink.fail = new UnavailableError('memory limit');
  t.equal(details(await callError(plain.export(traceRequest(1))))?.retryDelayMs, undefined, 'no RetryInfo without a hint');

  sink.fail = new Error('a bug somewhere');
  t.equal((await callError(plain.export(traceRequest(1)))).code, grpc.status.UNAVAILABLE, 'unknown error: UNAVAILABLE');
  sink.fail = new PermanentError('backend rejected the data');
  t.equal((await callError(plain.export(traceRequest(1)))).code, grpc.status.INTERNAL, 'PermanentError: INTERNAL (not retryable)');

  const refused = (await r.metrics.registry.getSingleMetric('otelcol_receiver_refused_spans_total')!.get()).values;
  t.equal(refused.find((v) => v.labels.transport === 'grpc')?.value, 12, 'six refused requests of 2 spans counted');

  sink.fail = undefined;
  const body = traceRequest(3);
  const response = await gzip.export(body);
  t.equal(response.length, 0, 'a good gzip call afterwards: empty response (full success)');
  t.same(Buffer.from(sink.received.at(-1)!.bytes), Buffer.from(body), 'its bytes arrive inflated and unchanged');
});

t.test('partial success over gRPC', async (t) => {
  const r = await startReceiver({ grpc: {} });
  t.teardown(() => r.stop());
  const c = grpcClient(r.addresses.grpc!, 'traces');
  t.teardown(() => c.close());
  const res = await c.export(ProtobufTraceSerializer.serializeRequest(withTraceId(makeSpans(2), 0, '0'.repeat(32)))!);
  t.equal(decodePartialSuccess(res).rejected, 1, 'partial_success.rejected_spans = 1');
  t.equal(r.sinks.traces.items, 3, 'the good spans went on');
});

t.test('server options follow otelcol keys', async (t) => {
  const config = configSchema.parse({
    protocols: {
      grpc: {
        max_recv_msg_size_mib: 16,
        max_concurrent_streams: 100,
        keepalive: {
          server_parameters: { max_connection_idle: '11s', max_connection_age: '30s', max_connection_age_grace: '5s', time: '30s', timeout: '20s' },
          enforcement_policy: { min_time: '10s', permit_without_stream: true },
        },
      },
    },
  });
  t.same(serverOptions(config.protocols.grpc!), {
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.max_concurrent_streams': 100,
    'grpc.max_connection_idle_ms': 11_000,
    'grpc.max_connection_age_ms': 30_000,
    'grpc.max_connection_age_grace_ms': 5_000,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 20_000,
  });
});
