/** Helpers shared by this receiver's tests: a started receiver, raw HTTP and gRPC clients. */
import { request } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { Consumer } from '../../pipeline/component.js';
import type { Signal } from '../../pdata/payload.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { configSchema } from './config.js';
import { exportServiceDefinition } from './grpc.js';
import type { BoundAddresses } from './receiver.js';
import { factory } from './factory.js';

/** A receiver listening on 127.0.0.1 port 0 for both protocols, feeding one RecordingConsumer per signal. */
export interface Running {
  readonly addresses: BoundAddresses;
  readonly sinks: Record<Signal, RecordingConsumer>;
  readonly metrics: SelfMetrics;
  stop(deadlineMs?: number): Promise<void>;
}

/** Starts a receiver; `protocols` overrides (merged into) the port-0 endpoints. */
export async function startReceiver(
  protocols: { grpc?: Record<string, unknown> | null; http?: Record<string, unknown> | null } = {},
  signals: readonly Signal[] = ['traces', 'metrics', 'logs'],
): Promise<Running> {
  const sinks = { traces: new RecordingConsumer(), metrics: new RecordingConsumer(), logs: new RecordingConsumer() };
  const metrics = new SelfMetrics();
  const both = !('grpc' in protocols) && !('http' in protocols);
  const config = configSchema.parse({
    protocols: {
      ...(both || protocols.grpc !== undefined ? { grpc: { endpoint: '127.0.0.1:0', ...protocols.grpc } } : {}),
      ...(both || protocols.http !== undefined ? { http: { endpoint: '127.0.0.1:0', ...protocols.http } } : {}),
    },
  });
  const next = new Map<Signal, Consumer>(signals.map((s) => [s, sinks[s]]));
  await factory.load?.();
  const receiver = factory.create(testSettings('otlp/test', metrics), config, next) as ReturnType<typeof factory.create> & { addresses(): BoundAddresses };
  await receiver.start(new NoopHost());
  return { addresses: receiver.addresses(), sinks, metrics, stop: (ms = 2000) => receiver.shutdown(Date.now() + ms) };
}

const RESOURCE = resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'node-7', 'process.pid': 4242 });

/**
 * Finished SDK spans: `roots` server spans, each with a client child. (Our own fixture: the shared
 * one in test/e2e builds its SimpleSpanProcessor with the old constructor and records nothing.)
 */
export function makeSpans(roots: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: RESOURCE, spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('otlp-receiver-test', '1.0.0');
  for (let i = 0; i < roots; i++) {
    tracer.startActiveSpan(`GET /cart/${i}`, { kind: SpanKind.SERVER, attributes: { 'http.status_code': 200, tags: ['a', 'b'], ok: true } }, (root) => {
      const child = tracer.startSpan('SELECT cart', { kind: SpanKind.CLIENT });
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock' });
      child.addEvent('retry', { attempt: 2 });
      child.end();
      root.end();
    });
  }
  return memory.getFinishedSpans();
}

/** Finished SDK log records with a map body and attributes of several types. */
export function makeLogs(count: number): ReadableLogRecord[] {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: RESOURCE, processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = provider.getLogger('otlp-receiver-test', '1.0.0');
  for (let i = 0; i < count; i++) {
    logger.emit({ severityText: 'WARN', body: { message: `retry ${i}`, raw: new Uint8Array([0, 255]) }, attributes: { seq: i, ratio: 0.5, ids: [1, 2] } });
  }
  return memory.getFinishedLogRecords();
}

/** A protobuf ExportTraceServiceRequest made by the SDK's own serializer: `2 * roots` spans. */
export function traceRequest(roots = 2): Uint8Array {
  return ProtobufTraceSerializer.serializeRequest(makeSpans(roots))!;
}

/** What a raw HTTP exchange returned. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends one HTTP request to `address` (host:port) and collects the answer. */
export function httpRequest(
  address: string,
  opts: { method?: string; path?: string; headers?: Record<string, string | number>; body?: Uint8Array | string | Iterable<Uint8Array> },
): Promise<HttpAnswer> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method: opts.method ?? 'POST', path: opts.path ?? '/v1/traces', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // The server may close early (413): the answer still counts, a write error afterwards does not.
    req.on('error', reject);
    const body = opts.body;
    if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
      req.end(body);
      return;
    }
    const chunks = body[Symbol.iterator]();
    const pump = (): void => {
      for (;;) {
        const next = chunks.next();
        if (next.done) return void req.end();
        if (!req.write(next.value)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

/** A raw gRPC client for one signal's Export, sending and receiving bytes. */
export function grpcClient(address: string, signal: Signal, options: grpc.ClientOptions = {}): {
  export(body: Uint8Array): Promise<Buffer>;
  close(): void;
} {
  const definition = exportServiceDefinition(signal);
  const Ctor = grpc.makeGenericClientConstructor(definition, 'Export');
  const client = new Ctor(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1, ...options });
  return {
    export: (body) => new Promise((resolve, reject) => {
      client.makeUnaryRequest(definition.Export!.path,
        (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, body,
        (err: grpc.ServiceError | null, value?: Buffer) => (err ? reject(err) : resolve(value!)));
    }),
    close: () => client.close(),
  };
}

/** Fields of one protobuf message: varints as numbers, length-delimited as bytes (tests only). */
export function protoFields(buf: Uint8Array): Map<number, Array<number | Uint8Array>> {
  const out = new Map<number, Array<number | Uint8Array>>();
  let p = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const c = buf[p++]!;
      v += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) return v;
    }
  };
  while (p < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    let value: number | Uint8Array;
    if ((tag & 7) === 0) value = varint();
    else if ((tag & 7) === 2) {
      const len = varint();
      value = buf.subarray(p, p + len);
      p += len;
    } else throw new Error(`unexpected wire type ${tag & 7}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

/** A google.rpc.Status decoded: code, message and the RetryInfo delay in ms when present. */
export function decodeStatus(buf: Uint8Array): { code: number; message: string; retryDelayMs?: number } {
  const f = protoFields(buf);
  const status: { code: number; message: string; retryDelayMs?: number } = {
    code: (f.get(1)?.[0] as number | undefined) ?? 0,
    message: Buffer.from((f.get(2)?.[0] as Uint8Array | undefined) ?? []).toString('utf8'),
  };
  for (const detail of (f.get(3) ?? []) as Uint8Array[]) {
    const any = protoFields(detail);
    if (Buffer.from(any.get(1)![0] as Uint8Array).toString() !== 'type.googleapis.com/google.rpc.RetryInfo') continue;
    const delay = protoFields(protoFields(any.get(2)![0] as Uint8Array).get(1)![0] as Uint8Array);
    status.retryDelayMs = ((delay.get(1)?.[0] as number | undefined) ?? 0) * 1000 + ((delay.get(2)?.[0] as number | undefined) ?? 0) / 1e6;
  }
  return status;
}

/** The partial_success of an Export*ServiceResponse: rejected count and message (0 and '' when unset). */
export function decodePartialSuccess(buf: Uint8Array): { rejected: number; message: string } {
  const partial = protoFields(buf).get(1)?.[0] as Uint8Array | undefined;
  if (!partial) return { rejected: 0, message: '' };
  const f = protoFields(partial);
  return { rejected: (f.get(1)?.[0] as number | undefined) ?? 0, message: Buffer.from((f.get(2)?.[0] as Uint8Array | undefined) ?? []).toString() };
}
