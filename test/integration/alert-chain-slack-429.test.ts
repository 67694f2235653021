/**
 * Promise (issue 12, "Done when"), on the Kafka queue with Redis state: when the Slack server
 * answers 429 with Retry-After for a minute, the alert still reaches Slack exactly once, and its
 * resolve exactly once, in order, after the minute; every retry waits as long as Retry-After says;
 * PagerDuty, email and Alertmanager are not held up meanwhile; nothing is lost or dead-lettered.
 */
import t from 'tap';
import { freePort } from '../daemon.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, redisAvailable, requireService } from '../services.js';
import { waitFor } from '../wait.js';
import { daemonTail, startDaemonWith, stopDaemon, uniqueName } from './harness.js';
import { app, subjectOf } from '../alert-sinks.js';
import { chainYaml, FOR_MS, selfMetric, startSinks } from './alert-chain-support.js';

t.setTimeout(240_000);
/** How long Slack throttles, from its first request: the issue's minute. */
const THROTTLE_MS = 60_000;
/** The Retry-After (seconds) of each 429. */
const RETRY_AFTER_S = 15;
/** Timer and scheduling slack allowed on a retry that honours Retry-After. */
const EARLY_TOLERANCE_MS = 250;
const SETTLE_MS = 5_000;

t.test('Slack answers 429 with Retry-After for a minute: one message and one update after it, each retry waiting as told; the other channels go on', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable()) || !requireService(t, 'Redis', await redisAvailable())) return;
  const began = Date.now();
  const name = uniqueName('it-alert-429');
  dropTopicsAtEnd(t, name);
  let throttleUntil: number | undefined;
  /** When each Slack request arrived and whether it was throttled, in order. */
  const requests: Array<{ at: number; throttled: boolean }> = [];
  const sinks = await startSinks(t, () => {
    const now = Date.now();
    throttleUntil ??= now + THROTTLE_MS;
    const throttled = now < throttleUntil;
    requests.push({ at: now, throttled });
    return throttled ? RETRY_AFTER_S : undefined;
  });
  const [otlp, health, metrics] = await Promise.all([freePort(), freePort(), freePort()]);
  const daemon = await startDaemonWith(t, 'daemon', chainYaml(name, { otlp, health, metrics }, sinks), health);
  const shop = app([otlp]);
  t.teardown(() => shop.stop());
  const until = (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> =>
    waitFor(what, check, timeoutMs, 200).then(() => undefined, (err: unknown) => {
      throw new Error(`${String(err)}; sinks: ${sinks.counts()}\n${daemonTail(daemon, 20)}`);
    });

  await until('RED points reaching alert_rules', async () => await selfMetric(metrics, 'otelcol_processor_incoming_items_total', { processor: 'alert_rules' }) > 0);
  const breachAt = Date.now();
  shop.checkoutMs = 800;
  await until('the firing on PagerDuty, email and Alertmanager', async () => sinks.pdActions().length >= 1 && sinks.mails.length >= 1
    && (!sinks.withAm || (await sinks.amAlerts()).length >= 1));
  t.ok(Date.now() - breachAt >= FOR_MS, `fired after \`for\` (${Date.now() - breachAt} ms)`);
  await until('Slack asked, and throttling', () => requests.length >= 1);
  t.equal(sinks.posts().length, 0, 'Slack: nothing accepted yet (429)');

  // Recovery while Slack still throttles: the other channels resolve at once.
  shop.checkoutMs = 20;
  await until('the resolve on PagerDuty, email and Alertmanager', async () => sinks.pdActions().length >= 2 && sinks.mails.length >= 2
    && (!sinks.withAm || (await sinks.amAlerts()).length === 0));
  t.ok(Date.now() < throttleUntil!, `PagerDuty, email and Alertmanager resolved while Slack was still throttled (${throttleUntil! - Date.now()} ms left)`);
  t.equal(sinks.posts().length, 0, 'Slack: still nothing accepted');

  await until('Slack: the message and its update after the throttle', () => sinks.posts().length >= 1 && sinks.updates().length >= 1, THROTTLE_MS + 60_000);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  t.equal(sinks.posts().length, 1, 'Slack: one message');
  t.equal(sinks.updates().length, 1, 'Slack: updated once');
  const [message] = [...sinks.slackMessages.values()];
  t.match(message?.text, /FIRING.*HighLatencyP95/, 'Slack: the message says firing');
  t.match(message?.updates, [/RESOLVED.*HighLatencyP95/], 'Slack: the update says resolved');
  const accepted = sinks.slack.received.findIndex((r) => r.status === 200);
  t.equal(sinks.slack.received[accepted]?.url, '/api/chat.postMessage', 'the firing went out first, the resolve after it');
  t.ok(requests.filter((r) => !r.throttled).every((r) => r.at >= throttleUntil!), 'nothing accepted during the minute');
  // Honouring Retry-After: after each 429, Slack heard nothing sooner than it said (the sink is paused for every alert).
  const early = requests.slice(1).filter((r, i) => requests[i]!.throttled && r.at - requests[i]!.at < RETRY_AFTER_S * 1000 - EARLY_TOLERANCE_MS);
  t.same(early, [], `no request sooner than Retry-After (${RETRY_AFTER_S} s) after a 429`);
  const throttled = requests.filter((r) => r.throttled).length;
  t.ok(throttled >= 2 && throttled <= Math.ceil(THROTTLE_MS / (RETRY_AFTER_S * 1000)) + 1, `${throttled} requests answered 429 in the minute`);
  t.comment(`Slack requests: ${requests.map((r) => `${r.at - (throttleUntil! - THROTTLE_MS)} ms${r.throttled ? ' 429' : ''}`).join(', ')}`);

  t.same(sinks.pdActions(), ['trigger', 'resolve'], 'PagerDuty: one trigger, one resolve');
  t.equal(sinks.mails.length, 2, 'email: one firing, one resolved');
  t.match(subjectOf(sinks.mails[1] ?? ''), /^\[RESOLVED\] HighLatencyP95 \(shop\)/, 'email: the resolved subject');
  t.equal(await selfMetric(metrics, 'vigil_notifications_total', { outcome: 'dead_lettered' }), 0, 'nothing dead-lettered');
  t.equal(await selfMetric(metrics, 'vigil_notifications_total', { exporter: 'slack', outcome: 'sent' }), 2, 'Slack: two notifications sent (firing, resolve)');
  await shop.stop();
  t.equal(await stopDaemon(daemon), 0, 'the daemon exits 0 on SIGTERM');
  t.comment(`whole test: ${Date.now() - began} ms`);
});
