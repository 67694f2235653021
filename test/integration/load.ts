/**
 * Steady OTLP load for the integration suites, with exact bookkeeping: every span id a client got
 * OK for, when and from which daemon, and every refusal as the client saw it. Spans come from the
 * OpenTelemetry SDK; they are sent by the SDK's own exporters, or by plain gRPC/HTTP clients when
 * a test needs to see the status codes the SDK exporters would retry away.
 */
import { request, Agent } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as SdkGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as SdkProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

/**
 * What one request came back with. `retryable`: an answer the OTLP spec tells clients to retry
 * (HTTP 429/503 with Retry-After, gRPC UNAVAILABLE, RESOURCE_EXHAUSTED with RetryInfo); `timeout`:
 * no answer within the client's deadline; `error`: anything else.
 */
export type Outcome =
  | { kind: 'ok' }
  | { kind: 'retryable' | 'timeout' | 'error'; detail: string };

type Refusal = Exclude<Outcome, { kind: 'ok' }>;

/** Sends one export request. `name` says which daemon it talks to. */
export interface Sender {
  readonly name: string;
  send(spans: ReadableSpan[]): Promise<Outcome>;
  close(): Promise<void>;
}

/** Makes finished SDK spans: traces of `spansPerTrace` spans (a root and its children), fresh ids each time. */
export class SpanFactory {
  private readonly memory = new InMemorySpanExporter();
  private readonly provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'vigil-integration', 'host.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: this.memory })],
  });
  private readonly tracer = this.provider.getTracer('vigil-integration');
  private n = 0;

  /** `traces` traces, each as its own array of spans (root first). */
  traces(traces: number, spansPerTrace: number): ReadableSpan[][] {
    const out: ReadableSpan[][] = [];
    for (let i = 0; i < traces; i++) {
      const root = this.tracer.startSpan(`request ${this.n++}`, { root: true, attributes: { 'http.route': '/cart', 'load.seq': this.n } });
      const parent = trace.setSpan(context.active(), root);
      for (let c = 1; c < spansPerTrace; c++) this.tracer.startSpan(`step ${c}`, { attributes: { step: c } }, parent).end();
      root.end();
      out.push(this.memory.getFinishedSpans().slice());
      this.memory.reset();
    }
    return out;
  }
}

/** The SDK's OTLP/gRPC trace exporter pointed at `port`. */
export function sdkGrpcSender(port: number, name = `grpc:${port}`, timeoutMillis = 3000): Sender {
  const exporter = new SdkGrpcExporter({ url: `http://127.0.0.1:${port}`, timeoutMillis });
  return sdkSender(name, exporter);
}

/** The SDK's OTLP/HTTP protobuf trace exporter pointed at `port`. */
export function sdkHttpSender(port: number, name = `http:${port}`, timeoutMillis = 3000): Sender {
  const exporter = new SdkProtoExporter({ url: `http://127.0.0.1:${port}/v1/traces`, timeoutMillis });
  return sdkSender(name, exporter);
}

function sdkSender(name: string, exporter: SdkGrpcExporter | SdkProtoExporter): Sender {
  return {
    name,
    send: (spans) => new Promise((resolve) => exporter.export(spans, (r) =>
      resolve(r.code === ExportResultCode.SUCCESS ? { kind: 'ok' } : { kind: 'error', detail: `sdk: ${r.error?.message ?? 'failed'}` }))),
    close: () => exporter.shutdown(),
  };
}

/** A plain HTTP/protobuf client (the SDK's serializer), reporting status and Retry-After as they came. */
export function rawHttpSender(port: number, name = `http:${port}`, timeoutMs = 10_000): Sender {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const send = (spans: ReadableSpan[]): Promise<Outcome> => new Promise((resolve) => {
    const body = ProtobufTraceSerializer.serializeRequest(spans)!;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent, timeout: timeoutMs, headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode!;
        const retryAfter = res.headers['retry-after'];
        if (status === 200) resolve({ kind: 'ok' });
        else if ((status === 429 || status === 503) && retryAfter !== undefined) resolve({ kind: 'retryable', detail: `http ${status} retry-after=${retryAfter}` });
        else resolve({ kind: 'error', detail: `http ${status}${retryAfter === undefined ? '' : ` retry-after=${retryAfter}`}` });
      });
    });
    let timedOut = false;
    req.on('timeout', () => {
      timedOut = true;
      req.destroy(new Error('client timeout'));
    });
    req.on('error', (err) => resolve(timedOut ? { kind: 'timeout', detail: 'http client timeout' } : { kind: 'error', detail: `http ${err.message}` }));
    req.end(body);
  });
  return { name, send, close: async () => agent.destroy() };
}

const EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const raw = (b: Buffer): Buffer => b;

/** A plain gRPC client of TraceService/Export, reporting the status code as it came. */
export function rawGrpcSender(port: number, name = `grpc:${port}`, timeoutMs = 10_000): Sender {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const send = (spans: ReadableSpan[]): Promise<Outcome> => new Promise((resolve) => {
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    client.makeUnaryRequest(EXPORT, raw, raw, body, { deadline: Date.now() + timeoutMs }, (err) => {
      if (!err) resolve({ kind: 'ok' });
      else if (err.code === grpc.status.DEADLINE_EXCEEDED) resolve({ kind: 'timeout', detail: 'grpc DEADLINE_EXCEEDED' });
      else if (err.code === grpc.status.UNAVAILABLE) resolve({ kind: 'retryable', detail: `grpc UNAVAILABLE` });
      else if (err.code === grpc.status.RESOURCE_EXHAUSTED && err.metadata.get('grpc-status-details-bin').length > 0) resolve({ kind: 'retryable', detail: 'grpc RESOURCE_EXHAUSTED+RetryInfo' });
      else resolve({ kind: 'error', detail: `grpc ${grpc.status[err.code]}: ${err.details}` });
    });
  });
  return { name, send, close: async () => client.close() };
}

/** A span a client got OK for. */
export interface Acked {
  traceId: string;
  /** Date.now() when the OK arrived. */
  at: number;
  sender: string;
}

/** Shape of the load: each request carries `tracesPerRequest` traces of `spansPerTrace` spans. */
export interface LoadShape {
  tracesPerRequest: number;
  spansPerTrace: number;
  /** Pause between a client's requests, ms (0: closed loop). */
  pauseMs?: number;
  /** Pause after a refusal or error, ms. */
  backoffMs?: number;
}

/**
 * Closed-loop clients until `stop()`. Each round sends every trace of a request to each group of
 * senders in `routes`: with two routes, half of each trace's spans go to one daemon and half to the
 * other (the stage log must bring a trace back together); with one route, whole traces.
 */
export class Load {
  readonly acked = new Map<string, Acked>();
  readonly outcomes = new Map<string, number>();
  /** Every answer other than OK, in order (the first 10 000). */
  readonly refusals: Array<Refusal & { at: number; sender: string }> = [];
  requests = 0;
  private running = true;
  private readonly loops: Array<Promise<void>>;
  private readonly spans = new SpanFactory();

  constructor(private readonly routes: Sender[][], private readonly shape: LoadShape, clients = routes[0]!.length) {
    this.loops = Array.from({ length: clients }, (_, i) => this.loop(i));
  }

  /** Spans acknowledged so far. */
  get ackedCount(): number {
    return this.acked.size;
  }

  /** Ends every client loop after its request in flight; resolves when they all ended. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Closes the senders (after `stop`). */
  async close(): Promise<void> {
    await Promise.all(this.routes.flat().map((s) => s.close()));
  }

  /** Outcome counts as "detail: n" text, for test messages. */
  summary(): string {
    return [...this.outcomes].map(([k, n]) => `${k}: ${n}`).join(', ');
  }

  private async loop(i: number): Promise<void> {
    const { tracesPerRequest, spansPerTrace, pauseMs = 0, backoffMs = 100 } = this.shape;
    while (this.running) {
      const traces = this.spans.traces(tracesPerRequest, spansPerTrace);
      const parts = this.routes.map((_, r) => traces.flatMap((spans) => spans.filter((_s, k) => k % this.routes.length === r)));
      const results = await Promise.all(this.routes.map((route, r) => this.sendOne(route[i % route.length]!, parts[r]!)));
      const refused = results.some((ok) => !ok);
      const pause = refused ? backoffMs : pauseMs;
      if (pause > 0 && this.running) await new Promise((r) => setTimeout(r, pause));
    }
  }

  private async sendOne(sender: Sender, spans: ReadableSpan[]): Promise<boolean> {
    if (spans.length === 0) return true;
    this.requests++;
    const outcome = await sender.send(spans);
    const key = outcome.kind === 'ok' ? 'ok' : outcome.detail;
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
    if (outcome.kind !== 'ok') {
      if (this.refusals.length < 10_000) this.refusals.push({ ...outcome, at: Date.now(), sender: sender.name });
      return false;
    }
    const at = Date.now();
    for (const s of spans) this.acked.set(s.spanContext().spanId, { traceId: s.spanContext().traceId, at, sender: sender.name });
    return true;
  }
}
