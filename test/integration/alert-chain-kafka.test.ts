/**
 * Promises (issue 12, "Done when"), on the Kafka queue with Redis state: an SDK app whose p95
 * latency rises past a rule's threshold for longer than `for` produces exactly one Slack message,
 * one PagerDuty trigger, one email and one Alertmanager alert, and on recovery exactly one resolve
 * each —
 * - with two daemons on the same topics, the app's spans going to both: the alert's state is owned
 *   by the partition that owns the series, so it is never fired twice;
 * - when the daemon owning the alert is `kill -9`'d while it fires (the other one takes the
 *   partition over, then the killed one comes back): no firing alert lost (Alertmanager keeps it
 *   active), nobody paged again, and the recovery still resolves it once everywhere.
 */
import t, { type Test } from 'tap';
import type { Daemon } from '../daemon.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, redisAvailable, requireService } from '../services.js';
import { waitFor } from '../wait.js';
import { daemonTail, startDaemonWith, stopDaemon, uniqueName } from './harness.js';
import { app, subjectOf, type App } from '../alert-sinks.js';
import { chainYaml, FOR_MS, selfMetric, startSinks, type ChainPorts, type Sinks } from './alert-chain-support.js';
import { freePort } from '../daemon.js';

t.setTimeout(240_000);
/** Rule evaluations (1 s apart) and RED windows (2 s) to wait before saying "still exactly one". */
const SETTLE_MS = 5_000;

/** One running daemon of the chain. */
interface Node { label: string; ports: ChainPorts; daemon: Daemon }

async function chainPorts(): Promise<ChainPorts> {
  const [otlp, health, metrics] = await Promise.all([freePort(), freePort(), freePort()]);
  return { otlp, health, metrics };
}

/** What a test of the chain needs: sinks, daemons sharing `name`, the app, bounded waits that explain a timeout. */
async function setUp(t: Test, prefix: string): Promise<{ sinks: Sinks; nodes: Node[]; shop: App; start(label: string, ports?: ChainPorts): Promise<Node>; until(what: string, check: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<void> }> {
  const name = uniqueName(prefix);
  dropTopicsAtEnd(t, name);
  const sinks = await startSinks(t);
  const nodes: Node[] = [];
  const start = async (label: string, ports?: ChainPorts): Promise<Node> => {
    const p = ports ?? await chainPorts();
    const node = { label, ports: p, daemon: await startDaemonWith(t, label, chainYaml(name, p, sinks), p.health) };
    nodes.push(node);
    return node;
  };
  await start('daemon a');
  await start('daemon b');
  const shop = app(nodes.map((n) => n.ports.otlp));
  t.teardown(() => shop.stop());
  const until = (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> =>
    waitFor(what, check, timeoutMs, 200).then(() => undefined, (err: unknown) => {
      throw new Error(`${String(err)}; sinks: ${sinks.counts()}\n${nodes.map((n) => `== ${n.label}\n${daemonTail(n.daemon, 15)}`).join('\n')}`);
    });
  return { sinks, nodes, shop, start, until };
}

/** Alert records the daemon's alert_rules has taken in (its partitions' RED points). */
const rulesIn = (n: Node): Promise<number> => selfMetric(n.ports.metrics, 'otelcol_processor_incoming_items_total', { processor: 'alert_rules' });

/** Healthy traffic until alert_rules evaluates it, then a breach: waits for the firing on every sink. */
async function breach(t: Test, s: Awaited<ReturnType<typeof setUp>>): Promise<void> {
  const { sinks, nodes, shop, until } = s;
  await until('RED points reaching alert_rules', async () => (await Promise.all(nodes.map(rulesIn))).some((n) => n > 0));
  await new Promise((r) => setTimeout(r, 3_000)); // a few evaluations over healthy data
  t.equal(sinks.slack.received.length + sinks.pd.received.length + sinks.mails.length + (await sinks.amAlerts()).length, 0, `no notification while p95 is 20 ms (${sinks.counts()})`);
  const breachAt = Date.now();
  shop.checkoutMs = 800;
  await until('the firing on every sink', async () => sinks.posts().length >= 1 && sinks.pdActions().length >= 1 && sinks.mails.length >= 1
    && (!sinks.withAm || (await sinks.amAlerts()).length >= 1));
  const firedAfter = Date.now() - breachAt;
  t.ok(firedAfter >= FOR_MS, `not before \`for\`: fired ${firedAfter} ms after the breach began`);
  t.comment(`breach → every sink notified: ${firedAfter} ms`);
}

/** Exactly one firing notification on every sink, and Alertmanager holds the alert active. */
async function oneFiring(t: Test, sinks: Sinks, when: string): Promise<void> {
  t.equal(sinks.posts().length, 1, `${when}: Slack, one message`);
  t.equal(sinks.updates().length, 0, `${when}: Slack, not updated while firing`);
  t.same(sinks.pdActions(), ['trigger'], `${when}: PagerDuty, one trigger`);
  t.equal(sinks.mails.length, 1, `${when}: email, one mail`);
  if (sinks.withAm) {
    const active = await sinks.amAlerts();
    t.equal(active.length, 1, `${when}: Alertmanager, one alert`);
    t.match(active[0], { labels: { alertname: 'HighLatencyP95', span_name: 'GET /checkout' }, status: { state: 'active' } }, `${when}: Alertmanager, still active`);
  }
}

/** Recovery: waits for the resolve on every sink, then checks there is exactly one of each. */
async function recover(t: Test, s: Awaited<ReturnType<typeof setUp>>): Promise<void> {
  const { sinks, shop, until } = s;
  const recoverAt = Date.now();
  shop.checkoutMs = 20;
  await until('the resolve on every sink', async () => sinks.updates().length >= 1 && sinks.pdActions().length >= 2 && sinks.mails.length >= 2
    && (!sinks.withAm || (await sinks.amAlerts()).length === 0));
  t.comment(`recovery → every sink resolved: ${Date.now() - recoverAt} ms`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  t.equal(sinks.posts().length, 1, 'Slack: still one message');
  t.equal(sinks.updates().length, 1, 'Slack: the message updated once');
  t.match([...sinks.slackMessages.values()][0]?.updates, [/RESOLVED.*HighLatencyP95/], 'Slack: to resolved');
  t.same(sinks.pdActions(), ['trigger', 'resolve'], 'PagerDuty: one trigger, one resolve');
  const dedup = sinks.pd.accepted().map((r) => (JSON.parse(r.body) as { dedup_key: string }).dedup_key);
  t.equal(dedup[1], dedup[0], 'PagerDuty: the resolve carries the trigger\'s dedup_key');
  t.equal(sinks.mails.length, 2, 'email: one firing, one resolved');
  t.match(subjectOf(sinks.mails[0] ?? ''), /^\[FIRING\] HighLatencyP95 \(shop\)/, 'email: the firing subject');
  t.match(subjectOf(sinks.mails[1] ?? ''), /^\[RESOLVED\] HighLatencyP95 \(shop\)/, 'email: the resolved subject');
  if (sinks.withAm) t.same(await sinks.amAlerts(), [], 'Alertmanager: the alert resolved');
}

/** The node whose alert_rules is taking RED points in now (the owner of the series' partition). */
async function ruleOwner(s: Awaited<ReturnType<typeof setUp>>, among: Node[]): Promise<Node> {
  const before = await Promise.all(among.map(rulesIn));
  let owner: Node | undefined;
  await s.until('one daemon evaluating the rules', async () => {
    const now = await Promise.all(among.map(rulesIn));
    const growing = among.filter((_, i) => now[i]! > before[i]!);
    owner = growing.length === 1 ? growing[0] : undefined;
    if (growing.length > 1) now.forEach((v, i) => (before[i] = v)); // a hand-over in between: look again
    return owner !== undefined;
  });
  return owner!;
}

t.test('two daemons, the app\'s spans to both: one notification per channel, one resolve each', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable()) || !requireService(t, 'Redis', await redisAvailable())) return;
  const began = Date.now();
  const s = await setUp(t, 'it-alert-two');
  await breach(t, s);
  await new Promise((r) => setTimeout(r, SETTLE_MS)); // still breaching: more evaluations on both daemons
  await oneFiring(t, s.sinks, 'two daemons');
  const owner = await ruleOwner(s, s.nodes);
  t.comment(`alert_rules partition of service shop owned by ${owner.label}`);
  for (const n of s.nodes) t.ok(await selfMetric(n.ports.metrics, 'otelcol_receiver_accepted_spans_total') > 0, `${n.label} received spans`);
  await recover(t, s);
  await s.shop.stop();
  for (const n of s.nodes) t.equal(await stopDaemon(n.daemon), 0, `${n.label} exits 0 on SIGTERM`);
  t.comment(`whole test: ${Date.now() - began} ms`);
});

t.test('kill -9 of the daemon owning the firing alert: the other takes over, the killed one comes back; nothing lost, nobody paged twice', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable()) || !requireService(t, 'Redis', await redisAvailable())) return;
  const began = Date.now();
  const s = await setUp(t, 'it-alert-kill');
  await breach(t, s);
  const owner = await ruleOwner(s, s.nodes);
  const survivor = s.nodes.find((n) => n !== owner)!;
  t.comment(`killing ${owner.label} (pid ${owner.daemon.pid}), which evaluates the alert`);
  await owner.daemon.stop('SIGKILL');
  // The group gives the killed member's partitions to the survivor once its session (6 s) expires.
  const takenOver = Date.now();
  t.equal(await ruleOwner(s, [survivor]), survivor, `${survivor.label} evaluates the rules now`);
  t.comment(`take-over: ${Date.now() - takenOver} ms`);
  // Still breaching: the survivor evaluates the restored alert for longer than `for`; a lost or re-started alert would page again.
  await new Promise((r) => setTimeout(r, FOR_MS + SETTLE_MS));
  await oneFiring(t, s.sinks, 'after the kill');

  const back = await s.start(`${owner.label}, restarted`, owner.ports);
  t.comment(`${back.label} is back: the group rebalances again while the alert fires`);
  await new Promise((r) => setTimeout(r, FOR_MS + SETTLE_MS));
  await oneFiring(t, s.sinks, 'after the restart');
  await recover(t, s);
  await s.shop.stop();
  for (const n of [survivor, back]) t.equal(await stopDaemon(n.daemon), 0, `${n.label} exits 0 on SIGTERM`);
  t.comment(`whole test: ${Date.now() - began} ms`);
});
