/**
 * Promise (issue 12, "Done when"): an app instrumented with the OpenTelemetry SDK whose p95 latency
 * rises past a rule's threshold for longer than `for` produces exactly one Slack message, one
 * PagerDuty trigger, one email, one webhook call and one alert in a real Alertmanager; when it
 * recovers, exactly one resolve on each. The real daemon on the memory queue runs the whole chain:
 * span_metrics → red_indicators → alert_rules (pipelines linked by forward connectors, each stateful
 * processor first in its pipeline) → events connector → a logs pipeline with the notifiers.
 */
import t from 'tap';
import { ScriptedServer, type Received } from '../../exporters/notify-common/test-support.js';
import { alertmanagerInstalled, startAlertmanager } from '../../exporters/alertmanager/real-alertmanager.js';
import { app, ROUTING_KEY, slackAnswer, smtp, subjectOf, TOKEN } from '../alert-sinks.js';
import { Daemon, freePort } from '../daemon.js';
import { requireService } from '../services.js';
import { waitFor } from '../wait.js';

const FOR_MS = 5_000;
/** Rule evaluations (1 s apart) and RED windows (2 s) to wait before saying "still exactly one". */
const SETTLE_MS = 5_000;

interface AmAlert { labels: Record<string, string>; status: { state: string } }

t.test('SDK app → span_metrics → red_indicators → alert_rules → events → slack, pagerduty, email, webhook, alertmanager: one firing and one resolve each', async (t) => {
  const began = Date.now();
  const slackMessages = new Map<string, { text: string; updates: string[] }>();
  const slack = new ScriptedServer(slackAnswer(slackMessages));
  const pd = new ScriptedServer(() => ({ status: 202, body: '{"status":"success","message":"Event processed"}' }));
  const hook = new ScriptedServer(() => ({ status: 200 }));
  const [slackUrl, pdUrl, hookUrl] = await Promise.all([slack.listen(), pd.listen(), hook.listen()]);
  t.teardown(() => Promise.all([slack.close(), pd.close(), hook.close()]));
  const mail = await smtp(t);
  const withAm = requireService(t, 'prometheus-alertmanager (apt-get install prometheus-alertmanager)', await alertmanagerInstalled());
  const amUrl = withAm ? await startAlertmanager(t) : undefined;
  const amAlerts = async (): Promise<AmAlert[]> => (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[];

  const [otlpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const fast = 'retry_on_failure: { initial_interval: 200ms, max_interval: 1s }';
  const notifiers = ['slack', 'pagerduty', 'email', 'webhook', ...(withAm ? ['alertmanager'] : [])];
  const daemon = await Daemon.start(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${otlpPort} } } }
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
            annotations: { summary: "p95 of {{ $labels.span_name }} is {{ $value }} ms" }
exporters:
  slack: { token: ${TOKEN}, channel: C0ALERTS, api_url: ${slackUrl}/api, ${fast} }
  pagerduty: { routing_key: ${ROUTING_KEY}, endpoint: ${pdUrl}/v2/enqueue, ${fast} }
  email: { endpoint: 127.0.0.1:${mail.port}, starttls: none, from: vigil@example.com, to: [oncall@example.com], ${fast} }
  webhook: { endpoint: ${hookUrl}/hook, ${fast} }
${withAm ? `  alertmanager: { endpoint: ${amUrl}, resend_interval: 1s, ${fast} }` : ''}
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  queue: { type: memory }
  pipelines:
    traces: { receivers: [otlp], exporters: [span_metrics] }
    metrics/indicators: { receivers: [span_metrics], processors: [red_indicators], exporters: [forward/indicators] }
    metrics/rules: { receivers: [forward/indicators], processors: [alert_rules], exporters: [events] }
    logs/notify: { receivers: [events], exporters: [${notifiers.join(', ')}] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  /** waitFor that, on a timeout, says what the daemon logged. */
  const until = (what: string, check: () => Promise<boolean>): Promise<boolean> =>
    waitFor(what, check, 60_000, 100).catch((err: unknown) => { throw new Error(`${String(err)}; sinks: ${counts()}\ndaemon stderr:\n${daemon.stderr.slice(-4000)}`); });
  const shop = app([otlpPort]);
  t.teardown(() => shop.stop());

  const posts = (): Received[] => slack.accepted().filter((r) => r.url === '/api/chat.postMessage');
  const updates = (): Received[] => slack.accepted().filter((r) => r.url === '/api/chat.update');
  const pdActions = (): string[] => pd.accepted().map((r) => (JSON.parse(r.body) as { event_action: string }).event_action);
  const hookStatuses = (): string[] => hook.accepted().map((r) => (JSON.parse(r.body) as { status: string }).status);
  const counts = (): string => `slack ${posts().length}+${updates().length}, pagerduty [${pdActions().join()}], email ${mail.mails.length}, webhook [${hookStatuses().join()}]`;

  // Healthy traffic through a few windows and evaluations: nobody hears anything.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  t.equal(slack.received.length + pd.received.length + hook.received.length + mail.mails.length, 0, `no notification while p95 is 20 ms (${counts()})`);

  // The breach: GET /checkout takes 800 ms from now on.
  const breachAt = Date.now();
  shop.checkoutMs = 800;
  await until('the firing on every sink', async () => posts().length >= 1 && pdActions().length >= 1 && mail.mails.length >= 1 && hookStatuses().length >= 1
    && (!withAm || (await amAlerts()).length >= 1));
  const firedAfter = Date.now() - breachAt;
  t.ok(firedAfter >= FOR_MS, `not before \`for\` (${FOR_MS} ms) passed: fired ${firedAfter} ms after the breach began`);
  t.comment(`breach → every sink notified: ${firedAfter} ms`);
  await new Promise((r) => setTimeout(r, SETTLE_MS)); // still breaching: more evaluations, more windows
  t.equal(posts().length, 1, 'Slack: one message');
  t.equal(updates().length, 0, 'Slack: not updated while firing');
  t.match([...slackMessages.values()][0]?.text, /FIRING.*HighLatencyP95/, 'Slack: the firing text');
  t.same(pdActions(), ['trigger'], 'PagerDuty: one trigger');
  t.equal(mail.mails.length, 1, 'email: one mail');
  t.match(subjectOf(mail.mails[0] ?? ''), /^\[FIRING\] HighLatencyP95 \(shop\)/, 'email: the firing subject');
  t.same(hookStatuses(), ['firing'], 'webhook: one call');
  const hookBody = JSON.parse(hook.accepted()[0]?.body ?? '{}') as { alerts?: { labels: Record<string, string> }[] };
  t.match(hookBody.alerts, [{ labels: { alertname: 'HighLatencyP95', span_name: 'GET /checkout', service_name: 'shop', severity: 'critical' } }], 'only GET /checkout breached');
  if (withAm) {
    const active = await amAlerts();
    t.equal(active.length, 1, 'Alertmanager: one alert, kept alive by re-sends');
    t.match(active[0], { labels: { alertname: 'HighLatencyP95', span_name: 'GET /checkout' }, status: { state: 'active' } });
  }

  // Recovery: back to 20 ms.
  const recoverAt = Date.now();
  shop.checkoutMs = 20;
  await until('the resolve on every sink', async () => updates().length >= 1 && pdActions().length >= 2 && mail.mails.length >= 2 && hookStatuses().length >= 2
    && (!withAm || (await amAlerts()).length === 0));
  t.comment(`recovery → every sink resolved: ${Date.now() - recoverAt} ms`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  t.equal(posts().length, 1, 'Slack: still one message');
  t.equal(updates().length, 1, 'Slack: the message updated once, to resolved');
  t.match([...slackMessages.values()][0]?.updates, [/RESOLVED.*HighLatencyP95/]);
  t.same(pdActions(), ['trigger', 'resolve'], 'PagerDuty: one trigger, one resolve');
  const dedup = pd.accepted().map((r) => (JSON.parse(r.body) as { dedup_key: string }).dedup_key);
  t.equal(dedup[1], dedup[0], 'PagerDuty: the resolve carries the trigger\'s dedup_key');
  t.equal(mail.mails.length, 2, 'email: one firing, one resolved');
  t.match(subjectOf(mail.mails[1] ?? ''), /^\[RESOLVED\] HighLatencyP95 \(shop\)/, 'email: the resolved subject');
  t.same(hookStatuses(), ['firing', 'resolved'], 'webhook: one firing, one resolved');
  if (withAm) t.same(await amAlerts(), [], 'Alertmanager: the alert resolved');

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const outcome = (o: string): number => metrics.split('\n').filter((l) => l.startsWith('vigil_notifications_total{') && l.includes(`outcome="${o}"`))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  t.equal(outcome('invalid'), 0, 'every vigil.alert record kept the contract the notifiers read');
  t.equal(outcome('dead_lettered'), 0, 'nothing dead-lettered');
  await shop.stop();
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
  t.comment(`whole test: ${Date.now() - began} ms`);
});
