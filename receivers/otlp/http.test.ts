/**
 * OTLP/HTTP answers for bad input, backpressure and partial success, in the request's encoding,
 * and CORS. After all of it the receiver still serves.
 */
import { request } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MemoryLimitError, PermanentError, QueueFullError, UnavailableError } from '../../pipeline/errors.js';
import { decodePartialSuccess, decodeStatus, httpRequest, makeSpans, startReceiver, traceRequest, type HttpAnswer } from './test-support.js';

const PROTO = { 'Content-Type': 'application/x-protobuf' };
const JSON_CT = { 'Content-Type': 'application/json' };

/** The SDK's spans with the trace id of span `index` replaced (hex; its length sets the byte length). */
function withTraceId(spans: ReadableSpan[], index: number, traceId: string): ReadableSpan[] {
  return spans.map((s, i) => (i !== index ? s : Object.assign(Object.create(Object.getPrototypeOf(s) as object) as ReadableSpan, s, {
    spanContext: () => ({ ...s.spanContext(), traceId }),
  })));
}

const jsonStatus = (a: HttpAnswer): { code: number; message: string; details?: Array<Record<string, string>> } => JSON.parse(a.body.toString()) as never;

t.test('bad input gets the right answer, and the receiver keeps serving', async (t) => {
  const r = await startReceiver({ http: { max_request_body_size: 64 * 1024 } });
  t.teardown(() => r.stop());
  const http = r.addresses.http!;

  const badProto = await httpRequest(http, { headers: PROTO, body: Buffer.from([0x0a, 0xff, 0xff, 0x01]) });
  t.equal(badProto.status, 400, 'malformed protobuf: 400');
  t.equal(badProto.headers['content-type'], 'application/x-protobuf', 'error body in the request encoding');
  const st = decodeStatus(badProto.body);
  t.equal(st.code, 3, 'Status.code INVALID_ARGUMENT');
  t.ok(st.message.length > 0, `Status.message says why: ${st.message}`);

  const badJson = await httpRequest(http, { headers: JSON_CT, body: '{"resourceSpans": [' });
  t.equal(badJson.status, 400, 'malformed JSON: 400');
  t.equal(badJson.headers['content-type'], 'application/json');
  t.ok(jsonStatus(badJson).message.length > 0, `JSON Status with a message: ${jsonStatus(badJson).message}`);

  const shortIdProto = ProtobufTraceSerializer.serializeRequest(withTraceId(makeSpans(1), 0, '0102030405'))!;
  const shortProto = await httpRequest(http, { headers: PROTO, body: shortIdProto });
  t.equal(shortProto.status, 400, '5-byte trace id over protobuf: 400');
  t.match(decodeStatus(shortProto.body).message, /trace/i, `the message names the trace id: ${decodeStatus(shortProto.body).message}`);
  const shortIdJson = Buffer.from(JsonTraceSerializer.serializeRequest(withTraceId(makeSpans(1), 0, '0102030405'))!);
  t.equal((await httpRequest(http, { headers: JSON_CT, body: shortIdJson })).status, 400, '5-byte trace id over JSON: 400');

  const wrongType = await httpRequest(http, { headers: { 'Content-Type': 'text/plain' }, body: traceRequest(1) });
  t.equal(wrongType.status, 415, 'wrong content type: 415');
  t.match(jsonStatus(wrongType).message, /application\/x-protobuf/, 'says what is accepted');
  t.equal((await httpRequest(http, { headers: {}, body: traceRequest(1) })).status, 415, 'no content type: 415');
  t.equal((await httpRequest(http, { headers: { 'Content-Type': 'application/json; charset=latin1' }, body: '{}' })).status, 415, 'non-UTF-8 JSON: 415');
  t.equal((await httpRequest(http, { headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: '{}' })).status, 200, 'charset=utf-8 accepted');
  t.equal((await httpRequest(http, { headers: { ...PROTO, 'Content-Encoding': 'br' }, body: traceRequest(1) })).status, 415, 'unknown content encoding: 415');

  t.equal((await httpRequest(http, { path: '/v1/nope', headers: PROTO, body: traceRequest(1) })).status, 404, 'unknown path: 404');
  const get = await httpRequest(http, { method: 'GET', headers: PROTO });
  t.equal(get.status, 405, 'GET: 405');
  t.equal(get.headers.allow, 'POST', 'Allow: POST');

  const big = Buffer.alloc(64 * 1024 + 1, 1);
  t.equal((await httpRequest(http, { headers: PROTO, body: big })).status, 413, 'Content-Length over the limit: 413');
  const chunked = await httpRequest(http, { headers: { ...PROTO, 'Transfer-Encoding': 'chunked' }, body: [big.subarray(0, 40000), big.subarray(40000)] });
  t.equal(chunked.status, 413, 'chunked body over the limit: 413');
  t.equal((await httpRequest(http, { headers: { ...PROTO, 'Content-Encoding': 'gzip' }, body: Buffer.from('not gzip at all') })).status, 400, 'corrupt gzip: 400');

  t.equal((await httpRequest(http, { headers: { ...PROTO, 'Content-Encoding': 'deflate' }, body: deflateSync(traceRequest(1)) })).status, 200, 'deflate body accepted');
  t.equal((await httpRequest(http, { headers: { ...JSON_CT, 'Content-Encoding': 'gzip' }, body: gzipSync(Buffer.from(JsonTraceSerializer.serializeRequest(makeSpans(1))!)) })).status, 200, 'gzip JSON accepted');

  const before = r.sinks.traces.items;
  const ok = await httpRequest(http, { headers: PROTO, body: traceRequest(2) });
  t.equal(ok.status, 200, 'a good request afterwards: 200');
  t.equal(ok.headers['content-type'], 'application/x-protobuf');
  t.equal(ok.body.length, 0, 'full success: empty ExportTraceServiceResponse');
  t.equal(r.sinks.traces.items - before, 4, 'and its spans arrive');
});

t.test('a client that goes away mid-body does not hurt the server', async (t) => {
  const r = await startReceiver({ http: {} });
  t.teardown(() => r.stop());
  const [host, port] = r.addresses.http!.split(':');
  await new Promise<void>((resolve) => {
    const req = request({ host, port: Number(port), method: 'POST', path: '/v1/traces', headers: { ...PROTO, 'Content-Length': 100000 } });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(1000));
    setTimeout(() => { req.destroy(); resolve(); }, 50);
  });
  await new Promise((res) => setTimeout(res, 50));
  t.equal((await httpRequest(r.addresses.http!, { headers: PROTO, body: traceRequest(1) })).status, 200, 'next request served');
  t.equal(r.sinks.traces.received.length, 1, 'the aborted body went nowhere');
});

t.test('pipeline refusals map to retryable answers with Retry-After', async (t) => {
  const r = await startReceiver({ http: {} });
  t.teardown(() => r.stop());
  const http = r.addresses.http!;
  const sink = r.sinks.traces;

  sink.fail = new QueueFullError('stage log full', 2500);
  const full = await httpRequest(http, { headers: PROTO, body: traceRequest(1) });
  t.equal(full.status, 429, 'queue full: 429');
  t.equal(full.headers['retry-after'], '3', 'Retry-After rounds 2.5 s up');
  t.same(decodeStatus(full.body), { code: 8, message: 'stage log full', retryDelayMs: 2500 }, 'Status with RetryInfo');
  const fullJson = await httpRequest(http, { headers: JSON_CT, body: Buffer.from(JsonTraceSerializer.serializeRequest(makeSpans(1))!) });
  t.equal(fullJson.status, 429);
  t.same(jsonStatus(fullJson).details, [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.500s' }], 'JSON Status with RetryInfo');

  sink.fail = new QueueFullError('stage log full');
  t.equal((await httpRequest(http, { headers: PROTO, body: traceRequest(1) })).headers['retry-after'], '1', 'default Retry-After: 1');

  // Garbage would be 400; a full pipeline refuses it first, without decoding it.
  sink.fail = undefined;
  sink.full = new QueueFullError('stage log full', 2500);
  const early = await httpRequest(http, { headers: PROTO, body: Buffer.from([0x0a, 0xff, 0xff, 0x01]) });
  t.equal(early.status, 429, 'full before decoding: 429, not 400');
  t.equal(sink.checked.at(-1), 4, 'asked with the body size');
  sink.full = undefined;

  sink.fail = new UnavailableError('memory limit');
  const unavailable = await httpRequest(http, { headers: PROTO, body: traceRequest(1) });
  t.equal(unavailable.status, 503, 'UnavailableError: 503');
  t.equal(unavailable.headers['retry-after'], '1', 'with Retry-After');

  sink.fail = new Error('a bug somewhere');
  t.equal((await httpRequest(http, { headers: PROTO, body: traceRequest(1) })).status, 503, 'unknown error: 503 (retryable)');

  sink.fail = new PermanentError('backend rejected the data');
  const permanent = await httpRequest(http, { headers: PROTO, body: traceRequest(1) });
  t.equal(permanent.status, 500, 'PermanentError: 500 (not retryable)');
  t.equal(permanent.headers['retry-after'], undefined, 'no Retry-After');

  sink.fail = new MemoryLimitError('above the soft limit');
  const overLimit = traceRequest(1);
  t.equal((await httpRequest(http, { headers: PROTO, body: overLimit })).status, 503, 'MemoryLimitError: 503');

  const refused = (await r.metrics.registry.getSingleMetric('otelcol_receiver_refused_spans_total')!.get()).values;
  t.equal(refused.find((v) => v.labels.transport === 'http')?.value, 14, 'seven decoded refused requests of 2 spans counted as refused; the undecoded one not');
  const byReason = async (name: string): Promise<Record<string, number>> => Object.fromEntries(
    (await r.metrics.registry.getSingleMetric(name)!.get()).values.map((v) => [String(v.labels.reason), v.value]),
  );
  t.same(await byReason('vigil_receiver_refused_requests_total'), { queue_full: 4, unavailable: 2, permanent: 1, memory_limit: 1 }, 'every refused request counted by reason, the undecoded one too');
  const bytes = await byReason('vigil_receiver_refused_bytes_total');
  t.equal(bytes.memory_limit, overLimit.byteLength, 'and their bytes');
  t.ok(bytes.queue_full! > 3 * overLimit.byteLength, `the undecoded one's included (${bytes.queue_full} bytes)`);

  sink.fail = undefined;
  t.equal((await httpRequest(http, { headers: PROTO, body: traceRequest(1) })).status, 200, 'serves again once the pipeline accepts');
});

t.test('partial success: spans with an all-zero trace id are rejected, the rest accepted', async (t) => {
  const r = await startReceiver({ http: {} });
  t.teardown(() => r.stop());
  const spans = withTraceId(makeSpans(2), 1, '0'.repeat(32));
  const res = await httpRequest(r.addresses.http!, { headers: PROTO, body: ProtobufTraceSerializer.serializeRequest(spans)! });
  t.equal(res.status, 200, '200');
  const partial = decodePartialSuccess(res.body);
  t.equal(partial.rejected, 1, 'rejectedSpans = 1');
  t.ok(partial.message.length > 0, `errorMessage: ${partial.message}`);
  t.equal(r.sinks.traces.items, 3, 'the three good spans went on');

  const json = await httpRequest(r.addresses.http!, { headers: JSON_CT, body: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!) });
  t.equal(json.status, 200);
  t.equal((JSON.parse(json.body.toString()) as { partialSuccess: { rejectedSpans: string } }).partialSuccess.rejectedSpans, '1', 'JSON partialSuccess.rejectedSpans');
  const refused = (await r.metrics.registry.getSingleMetric('otelcol_receiver_refused_spans_total')!.get()).values;
  t.equal(refused[0]?.value, 2, 'rejected spans counted as refused');
});

t.test('configured url paths replace the defaults', async (t) => {
  const r = await startReceiver({ http: { traces_url_path: '/otlp/traces' } });
  t.teardown(() => r.stop());
  t.equal((await httpRequest(r.addresses.http!, { path: '/otlp/traces', headers: PROTO, body: traceRequest(1) })).status, 200, 'custom path served');
  t.equal((await httpRequest(r.addresses.http!, { path: '/v1/traces', headers: PROTO, body: traceRequest(1) })).status, 404, 'default path gone');
});

t.test('CORS', async (t) => {
  const r = await startReceiver({ http: { cors: { allowed_origins: ['https://*.example.com', 'http://localhost:3000'], allowed_headers: ['X-Tenant'], max_age: 7200 } } });
  t.teardown(() => r.stop());
  const http = r.addresses.http!;
  const preflight = (origin: string, headers = 'content-type'): Promise<HttpAnswer> => httpRequest(http, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': headers },
  });

  const ok = await preflight('https://app.example.com', 'content-type, x-tenant');
  t.equal(ok.status, 204, 'preflight answered 204');
  t.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com', 'wildcard origin allowed');
  t.equal(ok.headers['access-control-allow-methods'], 'POST');
  t.equal(ok.headers['access-control-allow-headers'], 'content-type, x-tenant', 'configured header allowed');
  t.equal(ok.headers['access-control-max-age'], '7200');
  t.equal((await preflight('http://localhost:3000')).headers['access-control-allow-origin'], 'http://localhost:3000', 'exact origin allowed');
  t.equal((await preflight('https://evil.com')).headers['access-control-allow-origin'], undefined, 'other origin refused');
  t.equal((await preflight('https://example.com.evil.com')).headers['access-control-allow-origin'], undefined, 'wildcard is anchored');
  t.equal((await preflight('https://app.example.com', 'x-secret')).headers['access-control-allow-origin'], undefined, 'unlisted header refused');

  const post = await httpRequest(http, { headers: { ...PROTO, Origin: 'https://app.example.com' }, body: traceRequest(1) });
  t.equal(post.status, 200);
  t.equal(post.headers['access-control-allow-origin'], 'https://app.example.com', 'allow-origin on the response');
  const error = await httpRequest(http, { headers: { 'Content-Type': 'text/plain', Origin: 'https://app.example.com' }, body: 'x' });
  t.equal(error.headers['access-control-allow-origin'], 'https://app.example.com', 'and on error responses');

  const plain = await startReceiver({ http: {} });
  t.teardown(() => plain.stop());
  const noCors = await httpRequest(plain.addresses.http!, { method: 'OPTIONS', headers: { Origin: 'https://a.example.com', 'Access-Control-Request-Method': 'POST' } });
  t.equal(noCors.status, 405, 'without allowed_origins there is no preflight');
  t.equal(noCors.headers['access-control-allow-origin'], undefined);
});
