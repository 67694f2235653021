/** The processor on alert records: receivers written on each, silences and inhibitions mute, a resolve follows its firing. */
import t, { type Test } from 'tap';
import { ATTR, buildAlerts, readAlerts, type AlertInput } from '../../exporters/notify-common/index.js';
import { forEachLogRecord, LogsBuilder } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { scoped } from '../../pipeline/state/scope.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { factory } from './factory.js';
import { SilenceBook } from './silences.js';

const config = factory.configSchema.parse({
  route: {
    receiver: 'email',
    routes: [
      { matchers: ['severity="critical"'], receiver: 'pagerduty' },
      { matchers: ['severity="warning"'], receiver: 'slack' },
    ],
  },
  inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['service_name'] }],
  silences: { endpoint: '127.0.0.1:0' },
});

await factory.load?.();

const START = Date.parse('2026-11-26T10:00:00Z');
const alert = (name: string, severity: 'critical' | 'warning' | 'info', service: string, state: 'firing' | 'resolved' = 'firing'): AlertInput => ({
  alertname: name, state, severity, labels: { service_name: service, severity }, startsAt: START,
  ...(state === 'resolved' ? { endsAt: START + 60_000 } : {}),
});

async function setup(t: Test) {
  const next = new RecordingConsumer();
  const host = new NoopHost();
  const p = factory.create(testSettings('alert_routing'), config, 'logs', next);
  await p.start(host);
  t.teardown(() => p.shutdown(Date.now() + 1000));
  const book = new SilenceBook(scoped(host.store, 'routing', 'alert_routing'), 3_600_000);
  /** Routes one payload of alerts; the receivers and mute reason of each record, by alertname. */
  const route = async (...alerts: AlertInput[]): Promise<Record<string, { receivers: unknown; muted?: unknown }>> => {
    await p.consume(buildAlerts(alerts)!);
    const out: Record<string, { receivers: unknown; muted?: unknown }> = {};
    forEachLogRecord(next.received.at(-1)!, (r) => {
      out[`${r.attributes.alertname as string}:${r.attributes.state as string}`] = {
        receivers: r.attributes[ATTR.receivers], ...(r.attributes[ATTR.muted] ? { muted: r.attributes[ATTR.muted] } : {}),
      };
    });
    return out;
  };
  return { p, next, host, book, route };
}

t.test('each record carries the receivers of its route; other fields and records pass unchanged', async (t) => {
  const { p, next, route } = await setup(t);
  t.same(await route(alert('A', 'critical', 'checkout'), alert('B', 'info', 'cart')), {
    'A:firing': { receivers: ['pagerduty'] }, 'B:firing': { receivers: ['email'] },
  });
  const [a] = readAlerts(next.received[0]!).alerts;
  t.same(a!.receivers, ['pagerduty'], 'the notifiers read it');
  t.same(a!.labels, { service_name: 'checkout', severity: 'critical', alertname: 'A' }, 'labels intact');
  // A payload with no alert record passes as it is.
  const builder = new LogsBuilder();
  builder.scope({ 'service.name': 'app' }, { name: 'app' }).add({ timeUnixNano: 1n, body: 'a plain log' });
  const plain = builder.build()!;
  await p.consume(plain);
  t.equal(next.received.at(-1), plain);
  // Routing a routed record again replaces the answer instead of adding a second attribute.
  await p.consume(next.received[0]!);
  let count = 0;
  forEachLogRecord(next.received.at(-1)!, (r) => { if (r.attributes[ATTR.receivers] !== undefined) count++; });
  t.equal(count, 2);
});

t.test('a silence mutes a matching alert, and its resolve too; an alert notified before the silence still resolves', async (t) => {
  const { book, route } = await setup(t);
  t.same(await route(alert('Before', 'warning', 'cart')), { 'Before:firing': { receivers: ['slack'] } });
  await book.upsert({ matchers: [{ name: 'service_name', value: 'cart', isRegex: false }], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), createdBy: 'ops', comment: 'maintenance' });
  t.same(await route(alert('During', 'warning', 'cart'), alert('Other', 'warning', 'shop')), {
    'During:firing': { receivers: [], muted: 'silenced' }, 'Other:firing': { receivers: ['slack'] },
  });
  t.same(await route(alert('Before', 'warning', 'cart', 'resolved')), { 'Before:resolved': { receivers: ['slack'] } }, 'the notified firing gets its resolve');
  t.same(await route(alert('During', 'warning', 'cart', 'resolved')), { 'During:resolved': { receivers: [], muted: 'silenced' } }, 'the muted firing\'s resolve is muted');
  t.same(await route(alert('During', 'warning', 'cart')), { 'During:firing': { receivers: [], muted: 'silenced' } }, 'a redelivered firing gets the same answer');
});

t.test('an expired silence mutes nothing', async (t) => {
  const { book, route } = await setup(t);
  const id = await book.upsert({ matchers: [{ name: 'alertname', value: 'X.*', isRegex: true }], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), createdBy: 'ops', comment: 'c' });
  t.same(await route(alert('X1', 'info', 'a')), { 'X1:firing': { receivers: [], muted: 'silenced' } });
  await book.expire(id);
  t.same(await route(alert('X2', 'info', 'a')), { 'X2:firing': { receivers: ['email'] } });
});

t.test('inhibition: a warning is muted while a critical of the same service fires, across payloads', async (t) => {
  const { route } = await setup(t);
  t.same(await route(alert('Down', 'critical', 'checkout')), { 'Down:firing': { receivers: ['pagerduty'] } });
  t.same(await route(alert('SlowCheckout', 'warning', 'checkout'), alert('SlowCart', 'warning', 'cart'), alert('InfoCheckout', 'info', 'checkout')), {
    'SlowCheckout:firing': { receivers: [], muted: 'inhibited' },
    'SlowCart:firing': { receivers: ['slack'] },
    'InfoCheckout:firing': { receivers: ['email'] },
  }, 'only the target of the same service is muted');
  t.same(await route(alert('Down', 'critical', 'checkout', 'resolved')), { 'Down:resolved': { receivers: ['pagerduty'] } });
  t.same(await route(alert('Slow3', 'warning', 'checkout')), { 'Slow3:firing': { receivers: ['slack'] } }, 'the source resolved: no longer inhibited');
});

t.test('inhibition within one payload: the source fires first, then the target', async (t) => {
  const { next, route } = await setup(t);
  await route(alert('Down', 'critical', 'api'), alert('Slow', 'warning', 'api'));
  const muted = readAlerts(next.received.at(-1)!).alerts.map((a) => [a.alertname, a.receivers]);
  t.same(muted, [['Down', ['pagerduty']], ['Slow', []]]);
});

t.test('an alert on both sides of a rule is not muted by another alert on both sides', async (t) => {
  const both = factory.configSchema.parse({ route: { receiver: 'email' }, inhibit_rules: [{ source_matchers: ['team="x"'], target_matchers: ['team="x"'] }] });
  const next = new RecordingConsumer();
  const p = factory.create(testSettings('alert_routing'), both, 'logs', next);
  await p.start(new NoopHost());
  const payloads: Payload[] = [buildAlerts([{ alertname: 'A', state: 'firing', labels: { team: 'x' }, startsAt: START }])!,
    buildAlerts([{ alertname: 'B', state: 'firing', labels: { team: 'x' }, startsAt: START }])!];
  for (const payload of payloads) await p.consume(payload);
  t.same(next.received.map((x) => readAlerts(x).alerts[0]!.receivers), [['email'], ['email']]);
  await p.shutdown(Date.now());
});
