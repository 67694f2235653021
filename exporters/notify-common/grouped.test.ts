/**
 * Grouped notifications (`vigil.alert.group` records) through the real exporters: the record reads
 * back as written; webhook POSTs Alertmanager's v4 group payload, Slack posts one message and
 * updates it, PagerDuty keys the incident by the group; each notification is delivered once, and
 * a severity_filter cuts the group.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { factory as pagerduty } from '../pagerduty/factory.js';
import { factory as slack } from '../slack/factory.js';
import { factory as webhook } from '../webhook/factory.js';
import { buildGroup, readAlertAttributes, readGroups, alertAttributes, type Alert, type AlertGroup } from './index.js';
import { FAST_DELIVERY, ScriptedServer, counterValue, started } from './test-support.js';

const START = Date.parse('2026-11-26T10:00:00Z');

const alert = (name: string, state: 'firing' | 'resolved', severity: Alert['severity'] = 'warning'): Alert => {
  const read = readAlertAttributes({
    alertname: name, state, severity, labels: { service_name: 'checkout', team: 'shop', alertname: name },
    annotations: { summary: `${name} on checkout`, runbook_url: 'http://runbooks/checkout' }, starts_at: new Date(START).toISOString(),
    ...(state === 'resolved' ? { ends_at: new Date(START + 600_000).toISOString() } : {}),
  }, BigInt(START) * 1_000_000n);
  if (typeof read === 'string') throw new Error(read);
  return read;
};

const group = (alerts: Alert[], receivers: string[], id = 'n1'): AlertGroup => ({
  groupKey: '{}/{team="shop"}:{service_name="checkout"}', groupLabels: { service_name: 'checkout' },
  status: alerts.some((a) => a.state === 'firing') ? 'firing' : 'resolved', notificationId: id, startedAtMs: START, receivers, alerts,
});

t.test('a group record reads back as written', async (t) => {
  const g = group([alert('A', 'firing', 'critical'), alert('B', 'resolved')], ['webhook']);
  const { groups, invalid } = readGroups(buildGroup(g, START)!);
  t.same(invalid, []);
  t.same(groups[0], g);
  t.same(alertAttributes(groups[0]!.alerts[1]!).ends_at, '2026-11-26T10:10:00.000Z');
});

t.test('webhook: one v4 payload per group notification, with groupKey, groupLabels, common labels and annotations; once', async (t) => {
  const server = new ScriptedServer(() => ({ status: 200 }));
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter, settings } = await started(webhook, 'webhook', { endpoint: `${url}/hook`, ...FAST_DELIVERY });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const first = buildGroup(group([alert('A', 'firing'), alert('B', 'firing')], ['webhook']), START)!;
  await exporter.consume(first);
  await exporter.consume(first);
  t.equal(server.received.length, 1, 'a redelivered notification is not sent again');
  const body = JSON.parse(server.received[0]!.body) as Record<string, unknown> & { alerts: Array<{ labels: Record<string, string> }> };
  t.match(body, {
    version: '4', groupKey: '{}/{team="shop"}:{service_name="checkout"}', status: 'firing', receiver: 'webhook', truncatedAlerts: 0,
    groupLabels: { service_name: 'checkout' }, commonLabels: { service_name: 'checkout', team: 'shop' },
    commonAnnotations: { runbook_url: 'http://runbooks/checkout' },
  });
  t.notOk('alertname' in (body.commonLabels as object), 'alertname differs, so it is not common');
  t.same(body.alerts.map((a) => a.labels.alertname), ['A', 'B']);
  await exporter.consume(buildGroup(group([alert('A', 'firing'), alert('B', 'resolved')], ['webhook'], 'n2'), START)!);
  t.equal(server.received.length, 2, 'the next notification of the group is sent');
  t.match(JSON.parse(server.received[1]!.body), { status: 'firing', alerts: [{ status: 'firing' }, { status: 'resolved', endsAt: '2026-11-26T10:10:00.000Z' }] });
  await exporter.consume(buildGroup(group([alert('A', 'firing')], ['slack'], 'n3'), START)!);
  t.equal(server.received.length, 2, 'a group routed elsewhere is not sent');
  t.equal(await counterValue(settings, 'vigil_notifications_total', { outcome: 'not_routed' }), 1);
  t.equal(await counterValue(settings, 'vigil_notifications_total', { outcome: 'duplicate' }), 1);
});

t.test('slack Web API: the group posts one message listing its alerts; later notifications update it', async (t) => {
  const posts: Array<{ url: string; body: { ts?: string; text: string; blocks: unknown[] } }> = [];
  const server = new ScriptedServer((r) => {
    const body = JSON.parse(r.body) as { ts?: string; text: string; blocks: unknown[] };
    posts.push({ url: r.url, body });
    return { status: 200, body: JSON.stringify({ ok: true, channel: 'C0ALERTS', ts: body.ts ?? '1764151200.000001' }) };
  });
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter } = await started(slack, 'slack', { api_url: `${url}/api`, token: 'xoxb-t', channel: 'C0ALERTS', ...FAST_DELIVERY });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  await exporter.consume(buildGroup(group([alert('A', 'firing'), alert('B', 'firing')], ['slack']), START)!);
  await exporter.consume(buildGroup(group([alert('A', 'resolved'), alert('B', 'resolved')], ['slack'], 'n2'), START)!);
  t.same(posts.map((p) => p.url), ['/api/chat.postMessage', '/api/chat.update'], 'one message, then its update');
  t.match(posts[0]!.body.text, /^\[FIRING:2\] service_name=checkout: 2 firing, 0 resolved/);
  t.equal(posts[0]!.body.blocks.length, 3, 'a header and one line per alert');
  t.equal(posts[1]!.body.ts, '1764151200.000001', 'the resolve updates the message the firing posted');
  t.match(posts[1]!.body.text, /^\[RESOLVED\] service_name=checkout: 0 firing, 2 resolved/);
});

t.test('pagerduty: the group is one incident (dedup_key from the group key), resolved when nothing fires; severity_filter cuts the group', async (t) => {
  const server = new ScriptedServer(() => ({ status: 202, body: '{"status":"success"}' }));
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter, settings } = await started(pagerduty, 'pagerduty', { endpoint: `${url}/v2/enqueue`, routing_key: 'R0123456789abcdef0123456789abcdE', severity_filter: ['critical'], ...FAST_DELIVERY });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  await exporter.consume(buildGroup(group([alert('A', 'firing', 'critical'), alert('B', 'firing', 'warning')], ['pagerduty']), START)!);
  await exporter.consume(buildGroup(group([alert('B', 'firing', 'warning')], ['pagerduty'], 'n2'), START)!);
  await exporter.consume(buildGroup(group([alert('A', 'resolved', 'critical')], ['pagerduty'], 'n3'), START)!);
  const events = server.received.map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string; payload?: { summary: string; severity: string } });
  const key = createHash('sha256').update('{}/{team="shop"}:{service_name="checkout"}').digest('hex');
  t.same(events.map((e) => e.event_action), ['trigger', 'resolve'], 'the warning-only notification is filtered out');
  t.same(events.map((e) => e.dedup_key), [key, key]);
  t.match(events[0]!.payload, { summary: '[FIRING:1] service_name=checkout', severity: 'critical' });
  t.equal(await counterValue(settings, 'vigil_notifications_total', { outcome: 'filtered' }), 2);
});
