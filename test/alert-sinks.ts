/**
 * What every alert-chain test shares, on either queue: Slack's Web API as a local server's answers,
 * an in-process SMTP server, and an app instrumented with the OpenTelemetry SDK whose latency the
 * test sets and whose spans go round-robin to one or more daemons (failing over when one is down).
 */
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { SMTPServer } from 'smtp-server';
import { SpanKind } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { Answer, Received } from '../exporters/notify-common/test-support.js';

/** The bot token the Slack answers accept. */
export const TOKEN = 'xoxb-test-token';
/** A PagerDuty routing key of the documented shape. */
export const ROUTING_KEY = 'R0123456789abcdef0123456789abcdE';

/** Slack's Web API as documented: chat.postMessage creates a message, chat.update edits it; `throttled()` answers 429 with Retry-After. */
export function slackAnswer(messages: Map<string, { text: string; updates: string[] }>, throttled: () => number | undefined = () => undefined): (r: Received) => Answer {
  const ok = (body: unknown): Answer => ({ status: 200, body: JSON.stringify(body) });
  return (r) => {
    const retryAfterS = throttled();
    if (retryAfterS !== undefined) return { status: 429, headers: { 'retry-after': String(retryAfterS) }, body: '' };
    if (r.headers.authorization !== `Bearer ${TOKEN}`) return ok({ ok: false, error: 'invalid_auth' });
    const body = JSON.parse(r.body) as { channel?: string; ts?: string; text?: string };
    if (body.channel !== 'C0ALERTS') return ok({ ok: false, error: 'channel_not_found' });
    if (r.url === '/api/chat.postMessage') {
      const ts = `1764151200.${String(messages.size + 1).padStart(6, '0')}`;
      messages.set(ts, { text: body.text ?? '', updates: [] });
      return ok({ ok: true, channel: body.channel, ts });
    }
    const m = messages.get(body.ts ?? '');
    if (r.url !== '/api/chat.update' || !m) return ok({ ok: false, error: 'message_not_found' });
    m.updates.push(body.text ?? '');
    return ok({ ok: true, channel: body.channel, ts: body.ts });
  };
}

/** A real SMTP server in-process (no TLS, no auth); the raw messages it accepted. */
export async function smtp(t: Test): Promise<{ port: number; mails: string[] }> {
  const mails: string[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => { mails.push(Buffer.concat(chunks).toString('utf8')); cb(); });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

/** A mail's Subject header, unfolded. */
export const subjectOf = (raw: string): string => /^Subject: (.*)$/m.exec(raw.replace(/\r\n[ \t]+/g, ' '))?.[1]?.trim() ?? '';

/** Sends each batch to the next daemon in turn; a batch a daemon refuses (or a dead one) goes to the next. */
class RoundRobinExporter implements SpanExporter {
  private next = 0;
  constructor(private readonly exporters: OTLPTraceExporter[]) {}

  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    const tryFrom = (tries: number): void => {
      const exporter = this.exporters[this.next++ % this.exporters.length]!;
      exporter.export(spans, (r) => (r.code === ExportResultCode.SUCCESS || tries <= 1 ? done(r) : tryFrom(tries - 1)));
    };
    tryFrom(this.exporters.length);
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.exporters.map((e) => e.shutdown()));
  }
}

/** The app: every 100 ms, 5 calls of GET /checkout (latency `checkoutMs`) and 5 of GET /health (5 ms), as SDK spans over OTLP/HTTP. */
export interface App { checkoutMs: number; stop(): Promise<void> }

/** Starts the app, its spans going round-robin to `otlpPorts`. */
export function app(otlpPorts: readonly number[]): App {
  const exporter = new RoundRobinExporter(otlpPorts.map((p) => new OTLPTraceExporter({ url: `http://127.0.0.1:${p}/v1/traces`, timeoutMillis: 3_000 })));
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 200 })],
  });
  const tracer = provider.getTracer('alert-chain');
  let stopped: Promise<void> | undefined;
  const state: App = {
    checkoutMs: 20,
    stop(): Promise<void> {
      clearInterval(timer);
      return (stopped ??= provider.shutdown());
    },
  };
  const timer = setInterval(() => {
    const now = Date.now();
    for (let i = 0; i < 5; i++) {
      tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER, startTime: now - state.checkoutMs - i }).end(now);
      tracer.startSpan('GET /health', { kind: SpanKind.SERVER, startTime: now - 5 }).end(now);
    }
  }, 100);
  return state;
}

