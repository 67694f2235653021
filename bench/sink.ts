/**
 * The counting OTLP/gRPC sink the daemon forwards to. It lives in the load generator's process and
 * must stay cheap, so it counts spans with a wire walk that only reads tags and lengths down to
 * ResourceSpans → ScopeSpans → Span, and answers an empty ExportTraceServiceResponse.
 */
import * as http2 from 'node:http2';
import { gunzipSync } from 'node:zlib';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** Accepted and only counted (requests): the span metrics of the analytics chain come here too. */
const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

/** Reads a varint at `pos`; returns [value, next position]. Values past 2^53 do not occur in lengths we follow. */
function varint(b: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new Error('varint too long');
}

/** Calls `each(start, end)` for every length-delimited field numbered `field` in b[start, end). */
function forEachField(b: Uint8Array, start: number, end: number, field: number, each: (s: number, e: number) => void): void {
  let pos = start;
  while (pos < end) {
    const [tag, afterTag] = varint(b, pos);
    pos = afterTag;
    const wire = tag & 7;
    if (wire === 0) pos = varint(b, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, afterLen] = varint(b, pos);
      if (tag >>> 3 === field) each(afterLen, afterLen + len);
      pos = afterLen + len;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (pos > end) throw new Error('field runs past its message');
  }
}

/** Number of spans in an ExportTraceServiceRequest, without decoding them. */
export function countSpans(b: Uint8Array): number {
  let spans = 0;
  forEachField(b, 0, b.length, 1, (rs, re) =>
    forEachField(b, rs, re, 2, (ss, se) => forEachField(b, ss, se, 2, () => spans++)));
  return spans;
}

/** Running totals of what the sink received. */
export interface SinkCounts {
  spans: number;
  requests: number;
  bytes: number;
  /** Requests that did not parse (counted, answered INVALID_ARGUMENT). */
  malformed: number;
  /** MetricsService/Export requests received (not parsed). */
  metricsRequests: number;
}

const SPANS = 0;
const REQUESTS = 1;
const BYTES = 2;
const MALFORMED = 3;
const METRICS_REQUESTS = 4;
const CELLS = 5;

/** Counters in shared memory, so the sink can run in a worker thread and be read without a round trip. */
export class SharedCounts {
  private readonly cells: BigInt64Array;

  constructor(readonly buffer = new SharedArrayBuffer(CELLS * 8)) {
    this.cells = new BigInt64Array(buffer);
  }

  add(cell: number, n: number): void {
    Atomics.add(this.cells, cell, BigInt(n));
  }

  /** A consistent-enough copy (each counter is read atomically). */
  snapshot(): SinkCounts {
    const get = (i: number): number => Number(Atomics.load(this.cells, i));
    return { spans: get(SPANS), requests: get(REQUESTS), bytes: get(BYTES), malformed: get(MALFORMED), metricsRequests: get(METRICS_REQUESTS) };
  }

  reset(): void {
    for (let i = 0; i < CELLS; i++) Atomics.store(this.cells, i, 0n);
  }
}

/**
 * The receive window the sink grants each connection and stream. A Go gRPC server (otelcol, most
 * backends) starts at 64 KiB but grows its windows by bandwidth-delay estimation up to 16 MiB, so a
 * client streaming large batches to it soon sends them in few round trips. A fixed 64 KiB window
 * (Node's default, and grpc-js') makes every 64 KiB of a batch wait for the sender's event loop to
 * read a WINDOW_UPDATE: a single-threaded sender that is also busy receiving then forwards almost
 * nothing. The sink behaves like the grown Go server, for both systems under test.
 */
const RECEIVE_WINDOW = 16 * 1024 * 1024;
/** The gRPC message prefix of an empty ExportTraceServiceResponse: uncompressed, length 0. */
const EMPTY_RESPONSE = Buffer.alloc(5);

/**
 * A gRPC server accepting TraceService/Export and counting spans: gRPC's unary protocol over
 * node:http2 (length-prefixed messages, status in trailers), so the HTTP/2 windows are ours to set.
 */
export class CountingSink {
  private readonly server = http2.createServer({ settings: { initialWindowSize: RECEIVE_WINDOW }, maxSessionMemory: 1024 });
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  constructor(readonly shared = new SharedCounts()) {
    this.server.on('session', (session) => {
      session.setLocalWindowSize(RECEIVE_WINDOW);
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    this.server.on('stream', (stream, headers) => this.export(stream, headers));
  }

  /** The totals so far. */
  get counts(): SinkCounts {
    return this.shared.snapshot();
  }

  /** Listens on 127.0.0.1:`port` (0 picks one); resolves with the bound port. */
  async start(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as { port: number }).port));
    });
  }

  stop(): void {
    for (const s of this.sessions) s.destroy();
    this.server.close();
  }

  private export(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    if (headers[':path'] === METRICS_EXPORT_PATH) {
      stream.on('data', () => {});
      stream.on('error', () => {});
      stream.on('end', () => { this.shared.add(METRICS_REQUESTS, 1); reply(stream, 0); });
      return;
    }
    if (headers[':path'] !== EXPORT_PATH) {
      reply(stream, 12, `unknown method ${String(headers[':path'])}`); // UNIMPLEMENTED
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => {});
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        const message = grpcMessage(body, headers['grpc-encoding']);
        const spans = countSpans(message);
        this.shared.add(SPANS, spans);
        this.shared.add(REQUESTS, 1);
        this.shared.add(BYTES, message.length);
        reply(stream, 0);
      } catch (err) {
        this.shared.add(MALFORMED, 1);
        reply(stream, 3, (err as Error).message); // INVALID_ARGUMENT
      }
    });
  }
}

/** The one message of a unary call's body: 1 byte compressed flag, 4 bytes length, the bytes. */
function grpcMessage(body: Buffer, encoding: string | string[] | undefined): Buffer {
  if (body.length < 5) throw new Error('no gRPC message in the request');
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) throw new Error(`gRPC message of ${length} bytes in a body of ${body.length}`);
  const message = body.subarray(5);
  if (body[0] === 0) return message;
  if (encoding === 'gzip') return gunzipSync(message);
  throw new Error(`compressed with ${String(encoding)}`);
}

/** Answers a unary call: the empty response when OK, then the status in the trailers. */
function reply(stream: http2.ServerHttp2Stream, status: number, message?: string): void {
  if (stream.destroyed) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(status), ...(message ? { 'grpc-message': encodeURIComponent(message) } : {}) }));
  stream.end(status === 0 ? EMPTY_RESPONSE : undefined);
}
