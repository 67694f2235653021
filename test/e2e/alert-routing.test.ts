/**
 * Promise (issue 12, routing): through the real daemon, an alert_routing processor sends a critical
 * alert to PagerDuty only and a warning to Slack only; a silence created over its HTTP API (the
 * Alertmanager v2 silences API) stops a notification; and the resolve of an alert whose firing was
 * notified is still sent though a silence matching it began meanwhile; that silence acknowledges
 * the PagerDuty incident (event_action acknowledge, the trigger's dedup_key) once, before the resolve.
 */
import t from 'tap';
import { buildAlerts, type AlertInput } from '../../exporters/notify-common/index.js';
import { ScriptedServer } from '../../exporters/notify-common/test-support.js';
import type { Payload } from '../../pdata/payload.js';
import { ROUTING_KEY } from '../alert-sinks.js';
import { Daemon, freePort } from '../daemon.js';
import { waitFor } from '../wait.js';

async function post(port: number, payload: Payload): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(payload.bytes) });
  await res.arrayBuffer();
  return res.status;
}

/** The sum of a self-metric's samples whose labels contain every `match`. */
async function metric(port: number, name: string, ...match: string[]): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) && match.every((m) => l.includes(m))).reduce((s, l) => s + Number(l.split(' ').pop()), 0);
}

const START = Date.parse('2026-11-26T10:00:00Z');
const alert = (alertname: string, severity: 'critical' | 'warning', service: string, state: 'firing' | 'resolved' = 'firing'): Payload => {
  const input: AlertInput = { alertname, state, severity, labels: { severity, service_name: service }, startsAt: START, ...(state === 'resolved' ? { endsAt: START + 60_000 } : {}) };
  return buildAlerts([input])!;
};

t.test('through the daemon: critical → PagerDuty, warning → Slack, and a silence made over HTTP mutes one', async (t) => {
  const slack = new ScriptedServer(() => ({ status: 200, body: 'ok' }));
  const pd = new ScriptedServer(() => ({ status: 202, body: '{"status":"success","message":"Event processed"}' }));
  const [slackUrl, pdUrl] = await Promise.all([slack.listen(), pd.listen()]);
  t.teardown(() => Promise.all([slack.close(), pd.close()]));
  const [httpPort, healthPort, metricsPort, silencesPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const fast = 'retry_on_failure: { initial_interval: 200ms, max_interval: 1s }';
  const daemon = await Daemon.start(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${httpPort} } } }
processors:
  alert_routing:
    route:
      receiver: slack/team
      routes:
        - matchers: ['severity="critical"']
          receiver: pagerduty
        - matchers: ['severity="warning"']
          receiver: slack/team
    silences: { endpoint: 127.0.0.1:${silencesPort} }
exporters:
  slack/team: { webhook_url: ${slackUrl}/services/T0/B0/x, ${fast} }
  pagerduty: { routing_key: ${ROUTING_KEY}, endpoint: ${pdUrl}/v2/enqueue, ${fast} }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  pipelines:
    logs/alerts: { receivers: [otlp], processors: [alert_routing], exporters: [slack/team, pagerduty] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  const silences = `http://127.0.0.1:${silencesPort}/api/v2`;
  const until = (what: string, check: () => boolean | Promise<boolean>): Promise<boolean> =>
    waitFor(what, check, 30_000, 100).catch((err: unknown) => { throw new Error(`${String(err)}; slack ${slack.received.length}, pagerduty ${pd.received.length}\n${daemon.stderr.slice(-3000)}`); });
  const pdActions = (): string[] => pd.accepted().map((r) => (JSON.parse(r.body) as { event_action: string }).event_action);

  t.equal(await post(httpPort, alert('CheckoutDown', 'critical', 'checkout')), 200);
  t.equal(await post(httpPort, alert('CartSlow', 'warning', 'cart')), 200);
  await until('the critical at PagerDuty and the warning at Slack', () => pdActions().length === 1 && slack.accepted().length === 1);
  t.same(pdActions(), ['trigger'], 'PagerDuty: the critical only');
  t.match(slack.accepted()[0]!.body, /CartSlow/, 'Slack: the warning only');
  t.notMatch(slack.accepted()[0]!.body, /CheckoutDown/);

  // A silence for the shop service, created as amtool would.
  const now = Date.now();
  const created = await fetch(`${silences}/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({
    matchers: [{ name: 'service_name', value: 'shop|checkout', isRegex: true, isEqual: true }],
    startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), createdBy: 'e2e', comment: 'maintenance of the shop',
  }) });
  t.equal(created.status, 200, 'silence created');
  const { silenceID } = await created.json() as { silenceID: string };
  const listed = await (await fetch(`${silences}/silences`)).json() as Array<{ id: string; status: { state: string } }>;
  t.match(listed, [{ id: silenceID, status: { state: 'active' } }], 'listed, active');
  // The silence now mutes the critical that PagerDuty was told about: a person has it in hand.
  await until('the acknowledge at PagerDuty', () => pdActions().length === 2);
  const [trigger, ack] = pd.accepted().map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string; routing_key: string });
  t.same(ack, { routing_key: ROUTING_KEY, event_action: 'acknowledge', dedup_key: trigger!.dedup_key }, 'acknowledged, same dedup_key as the trigger');

  t.equal(await post(httpPort, alert('ShopSlow', 'warning', 'shop')), 200);
  await until('the silenced alert counted', async () => await metric(metricsPort, 'vigil_alert_routing_total', 'outcome="silenced"') === 1);
  // The resolve of the critical notified before the silence still goes out.
  t.equal(await post(httpPort, alert('CheckoutDown', 'critical', 'checkout', 'resolved')), 200);
  await until('the resolve at PagerDuty', () => pdActions().length === 3);
  t.same(pdActions(), ['trigger', 'acknowledge', 'resolve'], 'the notified firing gets its resolve through the silence, acknowledged once');
  t.equal(slack.accepted().length, 1, 'the silenced warning never reached Slack');

  // Expired over HTTP: the next alert of the shop is notified again.
  t.equal((await fetch(`${silences}/silence/${silenceID}`, { method: 'DELETE' })).status, 200, 'silence expired');
  t.equal(await post(httpPort, alert('ShopErrors', 'warning', 'shop')), 200);
  await until('the alert after the expiry at Slack', () => slack.accepted().length === 2);
  t.match(slack.accepted()[1]!.body, /ShopErrors/);
  t.equal(await metric(metricsPort, 'vigil_notifications_total', 'exporter="pagerduty"', 'outcome="not_routed"'), 3, 'PagerDuty counted the three warnings (one silenced) as not routed to it');
  t.equal(await metric(metricsPort, 'vigil_notifications_total', 'exporter="slack/team"', 'outcome="not_routed"'), 3, 'Slack: the critical\'s firing and resolve, and the silenced warning');
  t.equal(pdActions().length, 3);
  t.equal(await daemon.stop('SIGTERM'), 0, 'exits 0');
});
