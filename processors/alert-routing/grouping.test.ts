/**
 * Grouping in the processor: alerts wait group_wait and go out as one `vigil.alert.group` record,
 * changes follow at group_interval, inhibition is decided at flush time (the cross-partition race),
 * and two instances sharing one store (memory, and real Redis) notify a group once.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import t, { type Test } from 'tap';
import { ATTR, buildAlerts, readAlerts, readGroups, type AlertGroup, type AlertInput } from '../../exporters/notify-common/index.js';
import type { Payload } from '../../pdata/payload.js';
import type { Host } from '../../pipeline/component.js';
import { RedisStore } from '../../pipeline/state/redis-store.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { redisAvailable, REDIS_PORT, requireService } from '../../test/services.js';
import { waitFor } from '../../test/wait.js';
import { factory } from './factory.js';

await factory.load?.();

const config = factory.configSchema.parse({
  route: {
    receiver: 'email',
    routes: [{ matchers: ['team="shop"'], receiver: 'webhook', group_by: ['service_name'], group_wait: '400ms', group_interval: '800ms' }],
  },
  inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['service_name'] }],
});

const START = Date.parse('2026-11-26T10:00:00Z');
const alert = (name: string, service: string, state: 'firing' | 'resolved' = 'firing', severity: 'critical' | 'warning' = 'warning'): AlertInput => ({
  alertname: name, state, severity, labels: { service_name: service, team: 'shop', severity }, startsAt: START,
  ...(state === 'resolved' ? { endsAt: START + 60_000 } : {}),
});

/** A processor on `host`; returns the group records it emitted. */
async function instance(t: Test, host: Host) {
  const next = new RecordingConsumer();
  const settings = testSettings('alert_routing');
  const p = factory.create(settings, config, 'logs', next);
  await p.start(host);
  t.teardown(() => p.shutdown(Date.now() + 1000));
  const groups = (): AlertGroup[] => next.received.flatMap((payload: Payload) => readGroups(payload).groups);
  return { p, next, groups, settings };
}

const names = (g: AlertGroup | undefined): string[] => (g?.alerts ?? []).map((a) => `${a.alertname}:${a.state}`).sort();

t.test('alerts of one service wait group_wait and go out as one notification; a resolve as one more', async (t) => {
  const { p, next, groups, settings } = await instance(t, new NoopHost());
  const sentAt = Date.now();
  await p.consume(buildAlerts([alert('A', 'checkout'), alert('B', 'checkout')])!);
  await p.consume(buildAlerts([alert('C', 'checkout'), alert('D', 'cart')])!);
  const routed = readAlerts(next.received[0]!).alerts;
  t.same(routed.map((a) => a.receivers), [[], []], 'the alert records themselves name no receiver: the group notifies');
  await waitFor('two group notifications', () => groups().length >= 2, 10_000);
  t.ok(Date.now() - sentAt >= 400, 'not before group_wait');
  const checkout = groups().find((g) => g.groupLabels.service_name === 'checkout');
  t.same(names(checkout), ['A:firing', 'B:firing', 'C:firing'], 'one notification with every alert of the service');
  t.same(checkout?.receivers, ['webhook']);
  t.equal(checkout?.groupKey, '{}/{team="shop"}:{service_name="checkout"}');
  t.same(names(groups().find((g) => g.groupLabels.service_name === 'cart')), ['D:firing']);
  await p.consume(buildAlerts([alert('B', 'checkout', 'resolved')])!);
  const third = await waitFor('the resolve', () => groups()[2], 10_000);
  t.same(names(third), ['A:firing', 'B:resolved', 'C:firing'], 'the change at the next group_interval');
  await new Promise((r) => setTimeout(r, 2_000));
  t.equal(groups().length, 3, 'nothing more while nothing changes (repeat_interval is 4h)');
  const counted = await settings.metrics.registry.getSingleMetric('vigil_alert_group_notifications_total')?.get();
  t.same(counted?.values.map((v) => [v.labels.status, v.value]).sort(), [['firing', 3]], 'counted: three notifications, each with a firing alert');
});

t.test('the cross-partition race: a critical and a warning of one service routed by two instances at once; the warning is inhibited', async (t) => {
  const host = new NoopHost();
  const a = await instance(t, host);
  const b = await instance(t, host);
  // As two partitions would: each instance routes one of them, at the same moment.
  await Promise.all([
    a.p.consume(buildAlerts([alert('Latency', 'checkout', 'firing', 'warning')])!),
    b.p.consume(buildAlerts([alert('Down', 'checkout', 'firing', 'critical')])!),
  ]);
  await waitFor('the group notification', () => a.groups().length + b.groups().length >= 1, 10_000);
  await new Promise((r) => setTimeout(r, 1_500));
  const all = [...a.groups(), ...b.groups()];
  t.equal(all.length, 1, 'one notification: the two instances share the group, one flushes it');
  t.same(names(all[0]), ['Down:firing'], 'the warning is inhibited: the critical was in the firing set before the flush');
});

t.test('with real Redis: two daemons sharing the state notify a group once, and a new instance takes the group over', async (t) => {
  if (!requireService(t, 'Redis', await redisAvailable())) return;
  const keyPrefix = `vigil-test-grouping-${randomUUID()}`;
  const open = async (): Promise<StateStore> => {
    const store = new RedisStore({ endpoint: `127.0.0.1:${REDIS_PORT}`, db: 0, keyPrefix, maxBackoffMs: 200, commandTimeoutMs: 2000 }, pino({ level: 'silent' }));
    await store.start();
    t.teardown(() => store.close());
    return store;
  };
  const host = (store: StateStore): Host => Object.assign(new NoopHost(), { stateStore: () => store });
  const a = await instance(t, host(await open()));
  const b = await instance(t, host(await open()));
  await a.p.consume(buildAlerts([alert('A', 'checkout')])!);
  await b.p.consume(buildAlerts([alert('B', 'checkout')])!);
  await waitFor('the group notification', () => a.groups().length + b.groups().length >= 1, 10_000);
  await new Promise((r) => setTimeout(r, 2_000));
  const all = [...a.groups(), ...b.groups()];
  t.equal(all.length, 1, 'notified once by the two');
  t.same(names(all[0]), ['A:firing', 'B:firing']);
  // Both stop (a restart); a new instance on the same Redis resolves the group.
  await a.p.shutdown(Date.now() + 1000);
  await b.p.shutdown(Date.now() + 1000);
  const c = await instance(t, host(await open()));
  await c.p.consume(buildAlerts([alert('A', 'checkout', 'resolved'), alert('B', 'checkout', 'resolved')])!);
  const resolved = await waitFor('the resolve after the restart', () => c.groups()[0], 10_000);
  t.same(names(resolved), ['A:resolved', 'B:resolved'], 'the group survived the restart: its resolve is sent');
  t.equal(resolved.status, 'resolved');
});

t.test('the records still carry the alerts for storage exporters; muted ones too', async (t) => {
  const { p, next } = await instance(t, new NoopHost());
  await p.consume(buildAlerts([alert('A', 'checkout')])!);
  const [a] = readAlerts(next.received[0]!).alerts;
  t.equal(a?.alertname, 'A');
  t.same(a?.receivers, []);
  t.notOk(readAlerts(next.received[0]!).alerts.some((x) => x.labels[ATTR.muted]), 'not muted: grouped');
});

t.test('a firing record read after its own resolve (another partition, a redelivery) does not fire again', async (t) => {
  const { p, groups } = await instance(t, new NoopHost());
  await p.consume(buildAlerts([alert('A', 'checkout')])!);
  await waitFor('the firing', () => groups().length === 1, 10_000);
  await p.consume(buildAlerts([alert('A', 'checkout', 'resolved')])!);
  await waitFor('the resolve', () => groups().length === 2, 10_000);
  t.equal(groups()[1]?.status, 'resolved');
  await p.consume(buildAlerts([alert('A', 'checkout')])!);
  await new Promise((r) => setTimeout(r, 1_500)); // past group_wait: a new group would have been notified
  t.equal(groups().length, 2, 'the stale firing is ignored');
});
