/**
 * Promise (issue 12, the product design's short rule form): a rule written as
 * `condition: "latency_p95_ms > 500"`, `severity: medium`, `cooldown: 5m` runs on the real daemon
 * over the RED indicators of an SDK-instrumented app. When p95 rises past the threshold, exactly one
 * Slack message arrives on the channel whose `severity_filter` lets medium through, none on the
 * one that takes only critical (counted as filtered); when it recovers the message is resolved; when
 * it breaches again within the cooldown nobody is paged again.
 */
import t from 'tap';
import { ScriptedServer, type Answer, type Received } from '../../exporters/notify-common/test-support.js';
import { app, TOKEN } from '../alert-sinks.js';
import { Daemon, freePort } from '../daemon.js';
import { waitFor } from '../wait.js';

/** Rule evaluations (1 s apart) and RED windows (2 s) to wait before saying "still exactly one". */
const SETTLE_MS = 6_000;

/** Slack's Web API as documented: chat.postMessage creates a message (its ts), chat.update edits it. */
function slackAnswer(): (r: Received) => Answer {
  let n = 0;
  return (r) => {
    const body = JSON.parse(r.body) as { channel?: string; ts?: string };
    if (r.headers.authorization !== `Bearer ${TOKEN}`) return { status: 200, body: '{"ok":false,"error":"invalid_auth"}' };
    const ts = r.url === '/api/chat.postMessage' ? `1764151200.${String(++n).padStart(6, '0')}` : body.ts;
    return { status: 200, body: JSON.stringify({ ok: true, channel: body.channel, ts }) };
  };
}

t.test('short-form rule on the daemon: one Slack message past the threshold, filtered on the critical-only channel, none again within the cooldown', async (t) => {
  const slack = new ScriptedServer(slackAnswer());
  const pager = new ScriptedServer(slackAnswer());
  const [slackUrl, pagerUrl] = await Promise.all([slack.listen(), pager.listen()]);
  t.teardown(() => Promise.all([slack.close(), pager.close()]));
  const [otlpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const fast = 'retry_on_failure: { initial_interval: 200ms, max_interval: 1s }';
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
    evaluation_interval: 1s
    idle_timeout: 1s
    forward_metrics: false
    alerts:
      - name: SlowCheckout
        condition: "latency_p95_ms > 500"
        severity: medium
        cooldown: 5m
exporters:
  slack/team: { token: ${TOKEN}, channel: C0TEAM, api_url: ${slackUrl}/api, ${fast} }
  slack/pager: { token: ${TOKEN}, channel: C0PAGER, api_url: ${pagerUrl}/api, severity_filter: [high, critical], ${fast} }
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
    logs/notify: { receivers: [events], exporters: [slack/team, slack/pager] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  const posts = (): Received[] => slack.accepted().filter((r) => r.url === '/api/chat.postMessage');
  const updates = (): Received[] => slack.accepted().filter((r) => r.url === '/api/chat.update');
  const until = (what: string, check: () => boolean | Promise<boolean>): Promise<boolean> =>
    waitFor(what, check, 90_000, 100).catch((err: unknown) => {
      throw new Error(`${String(err)}; slack ${posts().length}+${updates().length}, pager ${pager.received.length}\ndaemon stderr:\n${daemon.stderr.slice(-4000)}`);
    });
  const scrape = async (): Promise<string[]> => (await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).split('\n');
  const outcome = async (exporter: string, o: string): Promise<number> => (await scrape())
    .filter((l) => l.startsWith('vigil_notifications_total{') && l.includes(`exporter="${exporter}"`) && l.includes(`outcome="${o}"`))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  const held = async (): Promise<number> => (await scrape())
    .filter((l) => l.startsWith('vigil_alerts_held_total{') && l.includes('alertname="SlowCheckout"'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  const shop = app([otlpPort]);
  t.teardown(() => shop.stop());

  await new Promise((r) => setTimeout(r, SETTLE_MS));
  t.equal(slack.received.length + pager.received.length, 0, 'no notification while p95 is 20 ms');

  shop.checkoutMs = 800;
  await until('the Slack message', () => posts().length >= 1);
  await until('the pager channel counting it as filtered', async () => await outcome('slack/pager', 'filtered') >= 1);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  t.equal(posts().length, 1, 'one Slack message');
  const text = (JSON.parse(posts()[0]?.body ?? '{}') as { text?: string }).text ?? '';
  t.match(text, /FIRING.*SlowCheckout/, 'the firing, by the short-form alert\'s name');
  t.equal(pager.received.length, 0, 'the critical-only channel heard nothing');

  shop.checkoutMs = 20;
  await until('the resolve', () => updates().length >= 1);
  t.match((JSON.parse(updates()[0]?.body ?? '{}') as { text?: string }).text, /RESOLVED.*SlowCheckout/, 'the message resolved');

  // Breaching again within the 5m cooldown: the alert fires in the rule engine, but nobody is paged.
  shop.checkoutMs = 800;
  await until('the re-fire held back by the cooldown', async () => await held() >= 1);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  t.equal(posts().length, 1, 'still one Slack message');
  t.equal(updates().length, 1, 'and one update');
  t.equal(await outcome('slack/team', 'sent'), 2, 'the team channel: the firing and the resolve');
  t.equal(await outcome('slack/pager', 'sent'), 0);
  t.equal(await outcome('slack/pager', 'filtered'), 2, 'the pager channel: both counted as filtered');
  await shop.stop();
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
});
