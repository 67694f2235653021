/**
 * What the alert-chain suites on the Kafka queue share besides test/alert-sinks.ts: the sinks
 * (local Slack and PagerDuty servers, SMTP, a real Alertmanager) with counters over what each
 * received, and the chain's daemon config.
 */
import type { Test } from 'tap';
import { alertmanagerInstalled, startAlertmanager } from '../../exporters/alertmanager/real-alertmanager.js';
import { ScriptedServer, type Received } from '../../exporters/notify-common/test-support.js';
import { ROUTING_KEY, slackAnswer, smtp, TOKEN } from '../alert-sinks.js';
import { requireService } from '../services.js';

/** The rule's `for`. */
export const FOR_MS = 5_000;

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
