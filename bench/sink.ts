/**
 * The counting OTLP/gRPC sink the daemon forwards to. It lives in the load generator's process and
 * must stay cheap, so it counts spans with a wire walk that only reads tags and lengths down to
 * ResourceSpans → ScopeSpans → Span, and answers an empty ExportTraceServiceResponse.
 */
import * as grpc from '@grpc/grpc-js';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const raw = (b: Buffer): Buffer => b;
const EMPTY = Buffer.alloc(0);

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
}

const SPANS = 0;
const REQUESTS = 1;
const BYTES = 2;
const MALFORMED = 3;

/** Counters in shared memory, so the sink can run in a worker thread and be read without a round trip. */
export class SharedCounts {
  private readonly cells: BigInt64Array;

  constructor(readonly buffer = new SharedArrayBuffer(4 * 8)) {
    this.cells = new BigInt64Array(buffer);
  }

  add(cell: number, n: number): void {
    Atomics.add(this.cells, cell, BigInt(n));
  }

  /** A consistent-enough copy (each counter is read atomically). */
  snapshot(): SinkCounts {
    const get = (i: number): number => Number(Atomics.load(this.cells, i));
    return { spans: get(SPANS), requests: get(REQUESTS), bytes: get(BYTES), malformed: get(MALFORMED) };
  }

  reset(): void {
    for (let i = 0; i < 4; i++) Atomics.store(this.cells, i, 0n);
  }
}

/** A gRPC server accepting TraceService/Export and counting spans. */
export class CountingSink {
  private readonly server = new grpc.Server({ 'grpc.max_receive_message_length': 256 * 1024 * 1024 });

  constructor(readonly shared = new SharedCounts()) {}

  /** The totals so far. */
  get counts(): SinkCounts {
    return this.shared.snapshot();
  }

  /** Listens on 127.0.0.1:`port` (0 picks one); resolves with the bound port. */
  async start(port = 0): Promise<number> {
    this.server.addService({
      Export: {
        path: EXPORT_PATH, requestStream: false, responseStream: false,
        requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw,
      },
    }, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        let spans: number;
        try {
          spans = countSpans(call.request);
        } catch (err) {
          this.shared.add(MALFORMED, 1);
          callback({ code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message });
          return;
        }
        this.shared.add(SPANS, spans);
        this.shared.add(REQUESTS, 1);
        this.shared.add(BYTES, call.request.length);
        callback(null, EMPTY);
      },
    });
    return new Promise((resolve, reject) =>
      this.server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))));
  }

  stop(): void {
    this.server.forceShutdown();
  }
}
