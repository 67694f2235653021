/**
 * What the alert-chain suites on the Kafka queue share: local Slack (Web API), PagerDuty (Events
 * API v2) and SMTP servers, a real Alertmanager, an SDK app whose latency the test sets and whose
 * spans go round-robin to one or more daemons (failing over when one is down), the chain's daemon
 * config, and counters over what each sink received.
 */
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { SMTPServer } from 'smtp-server';
import { SpanKind } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { alertmanagerInstalled, startAlertmanager } from '../../exporters/alertmanager/real-alertmanager.js';
import { ScriptedServer, type Answer, type Received } from '../../exporters/notify-common/test-support.js';
import { requireService } from '../services.js';

export const TOKEN = 'xoxb-it-token';
const ROUTING_KEY = 'R0123456789abcdef0123456789abcdE';
/** The rule's `for`. */
export const FOR_MS = 5_000;

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
async function smtp(t: Test): Promise<{ port: number; mails: string[] }> {
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
  const tracer = provider.getTracer('alert-chain-kafka');
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

/** An alert as Alertmanager's API v2 lists it. */
export interface AmAlert { labels: Record<string, string>; status: { state: string } }

/** The sinks of one test and what they received. */
export interface Sinks {
  readonly slack: ScriptedServer;
  readonly slackMessages: Map<string, { text: string; updates: string[] }>;
  readonly pd: ScriptedServer;
  readonly mails: string[];
  /** Alertmanager's alerts; [] without Alertmanager. */
  amAlerts(): Promise<AmAlert[]>;
  readonly withAm: boolean;
  /** The exporters section of the daemon config. */
  readonly exportersYaml: string;
  readonly exporterNames: string[];
  posts(): Received[];
  updates(): Received[];
  pdActions(): string[];
  /** One line for failure messages. */
  counts(): string;
}

/** Starts Slack, PagerDuty, SMTP and (when installed) Alertmanager; `throttled` scripts Slack's 429s. */
export async function startSinks(t: Test, throttled?: () => number | undefined): Promise<Sinks> {
  const slackMessages = new Map<string, { text: string; updates: string[] }>();
  const slack = new ScriptedServer(slackAnswer(slackMessages, throttled));
  const pd = new ScriptedServer(() => ({ status: 202, body: '{"status":"success","message":"Event processed"}' }));
  const [slackUrl, pdUrl] = await Promise.all([slack.listen(), pd.listen()]);
  t.teardown(() => Promise.all([slack.close(), pd.close()]));
  const mail = await smtp(t);
  const withAm = requireService(t, 'prometheus-alertmanager (apt-get install prometheus-alertmanager)', await alertmanagerInstalled());
  const amUrl = withAm ? await startAlertmanager(t) : undefined;
  const fast = 'retry_on_failure: { initial_interval: 200ms, max_interval: 1s }';
  const posts = (): Received[] => slack.accepted().filter((r) => r.url === '/api/chat.postMessage');
  const updates = (): Received[] => slack.accepted().filter((r) => r.url === '/api/chat.update');
  const pdActions = (): string[] => pd.accepted().map((r) => (JSON.parse(r.body) as { event_action: string }).event_action);
  return {
    slack, slackMessages, pd, mails: mail.mails, withAm, posts, updates, pdActions,
    amAlerts: async () => (amUrl === undefined ? [] : (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[]),
    exporterNames: ['slack', 'pagerduty', 'email', ...(withAm ? ['alertmanager'] : [])],
    exportersYaml: `exporters:
  slack: { token: ${TOKEN}, channel: C0ALERTS, api_url: ${slackUrl}/api, ${fast} }
  pagerduty: { routing_key: ${ROUTING_KEY}, endpoint: ${pdUrl}/v2/enqueue, ${fast} }
  email: { endpoint: 127.0.0.1:${mail.port}, starttls: none, from: vigil@example.com, to: [oncall@example.com], ${fast} }
${withAm ? `  alertmanager: { endpoint: ${amUrl}, resend_interval: 1s, ${fast} }` : ''}`,
    counts: () => `slack ${posts().length} posts + ${updates().length} updates (${slack.received.length} requests), pagerduty [${pdActions().join()}], email ${mail.mails.length}`,
  };
}

/** Where one daemon listens. */
export interface ChainPorts { otlp: number; health: number; metrics: number }

/**
 * The chain on the Kafka queue with Redis state: SDK spans → span_metrics → red_indicators →
 * alert_rules (p95 > 500 ms for FOR_MS) → events → the notifiers. Every daemon started with the
 * same `name` shares the topics, the consumer group and the state.
 */
export function chainYaml(name: string, ports: ChainPorts, sinks: Sinks): string {
  return `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${ports.otlp} } } }
connectors:
  span_metrics: { metrics_flush_interval: 500ms }
  forward/indicators:
  events:
processors:
  red_indicators: { window: 2s, idle_timeout: 1s, pass_through: false }
  alert_rules:
    idle_timeout: 1s
    forward_metrics: false
    groups:
      - name: red
        interval: 1s
        rules:
          - alert: HighLatencyP95
            expr: vigil_red_latency_p95_milliseconds > 500
            for: ${FOR_MS / 1000}s
            labels: { severity: critical }
            annotations: { summary: "p95 of {{ $labels.span_name }} is high" }
${sinks.exportersYaml}
extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
service:
  extensions: [health_check]
  shutdown_timeout: 15s
  telemetry: { metrics: { address: 127.0.0.1:${ports.metrics} }, logs: { level: info } }
  queue: { type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${name}, group_id: ${name}, partitions: 4, replication_factor: 1, session_timeout: 6s } }
  state: { type: redis, redis: { endpoint: localhost:6379, key_prefix: ${name} } }
  pipelines:
    traces: { receivers: [otlp], exporters: [span_metrics] }
    metrics/indicators: { receivers: [span_metrics], processors: [red_indicators], exporters: [forward/indicators] }
    metrics/rules: { receivers: [forward/indicators], processors: [alert_rules], exporters: [events] }
    logs/notify: { receivers: [events], exporters: [${sinks.exporterNames.join(', ')}] }
`;
}

/** The sum of a daemon's self-metric `name` over the series whose labels include every `labels` pair; 0 when unreachable. */
export async function selfMetric(metricsPort: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  let text: string;
  try {
    text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  } catch {
    return 0;
  }
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}
