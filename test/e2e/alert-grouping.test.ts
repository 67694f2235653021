/**
 * Promise (issue 12, grouping): through the real daemon, alerts of one service routed with
 * `group_by: [service_name]` wait `group_wait` and reach the webhook as ONE Alertmanager v4 POST
 * listing all of them; a later resolve makes exactly one more. Once on the embedded default (memory
 * queue and state), once with the Kafka queue and Redis state (the processor on the forwarding
 * thread, the groups in Redis), where a `kill -9` after the alerts were accepted loses no group.
 */
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { buildAlerts, type AlertInput } from '../../exporters/notify-common/index.js';
import { ScriptedServer } from '../../exporters/notify-common/test-support.js';
import type { Payload } from '../../pdata/payload.js';
import { RedisStore } from '../../pipeline/state/redis-store.js';
import pino from 'pino';
import { Daemon, freePort } from '../daemon.js';
import { kafkaAvailable, REDIS_PORT, redisAvailable, requireService } from '../services.js';
import { waitFor } from '../wait.js';

async function post(port: number, payload: Payload): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(payload.bytes) });
  await res.arrayBuffer();
  return res.status;
}

const START = Date.parse('2026-11-26T10:00:00Z');
const alert = (alertname: string, service: string, state: 'firing' | 'resolved' = 'firing'): Payload => {
  const input: AlertInput = { alertname, state, severity: 'warning', labels: { service_name: service }, startsAt: START, ...(state === 'resolved' ? { endsAt: START + 60_000 } : {}) };
  return buildAlerts([input])!;
};

interface V4 {
  groupKey: string;
  status: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

const config = ([httpPort, healthPort, metricsPort]: readonly number[], hook: string, service = ''): string => `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${httpPort} } } }
processors:
  alert_routing:
    route:
      receiver: webhook
      group_by: [service_name]
      group_wait: 3s
      group_interval: 2s
exporters:
  webhook: { endpoint: ${hook}, retry_on_failure: { initial_interval: 200ms, max_interval: 1s } }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
${service}
  pipelines:
    logs/alerts: { receivers: [otlp], processors: [alert_routing], exporters: [webhook] }
`;

/** The accepted POSTs, parsed. */
const bodies = (server: ScriptedServer): V4[] => server.accepted().map((r) => JSON.parse(r.body) as V4);
const names = (b: V4 | undefined): string[] => (b?.alerts ?? []).map((a) => `${a.labels.alertname}:${a.status}`).sort();

t.test('through the daemon: three alerts of one service, one webhook POST after group_wait; a resolve, one more', async (t) => {
  const hook = new ScriptedServer(() => ({ status: 200 }));
  const url = await hook.listen();
  t.teardown(() => hook.close());
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const [httpPort, healthPort] = ports;
  const daemon = await Daemon.start(config(ports, `${url}/hook`), healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  const until = (what: string, check: () => boolean): Promise<boolean> =>
    waitFor(what, check, 30_000, 100).catch((err: unknown) => { throw new Error(`${String(err)}; posts ${hook.received.length}\n${daemon.stderr.slice(-3000)}`); });

  const began = Date.now();
  for (const name of ['Latency', 'Errors', 'Saturation']) t.equal(await post(httpPort, alert(name, 'checkout')), 200);
  await until('the group notification', () => hook.accepted().length >= 1);
  t.ok(Date.now() - began >= 2_900, 'not before group_wait');
  await new Promise((r) => setTimeout(r, 2_500)); // a second POST would come within a group_interval
  t.equal(hook.accepted().length, 1, 'ONE POST for the three alerts');
  t.match(bodies(hook)[0], { status: 'firing', groupKey: '{}:{service_name="checkout"}', groupLabels: { service_name: 'checkout' }, commonLabels: { service_name: 'checkout' } });
  t.same(names(bodies(hook)[0]), ['Errors:firing', 'Latency:firing', 'Saturation:firing']);

  t.equal(await post(httpPort, alert('Errors', 'checkout', 'resolved')), 200);
  await until('the resolve', () => hook.accepted().length >= 2);
  await new Promise((r) => setTimeout(r, 2_500));
  t.equal(hook.accepted().length, 2, 'one more POST for the resolve');
  t.same(names(bodies(hook)[1]), ['Errors:resolved', 'Latency:firing', 'Saturation:firing']);
  t.equal(await daemon.stop('SIGTERM'), 0, 'exits 0');
});

t.test('with the Kafka queue and Redis state: kill -9 during group_wait loses no alert of the group', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable()) || !requireService(t, 'Redis', await redisAvailable())) return;
  const name = `vigil-grouping-${randomUUID().slice(0, 8)}`;
  const hook = new ScriptedServer(() => ({ status: 200 }));
  const url = await hook.listen();
  t.teardown(() => hook.close());
  const service = `  queue: { type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${name}, group_id: ${name}, partitions: 2, replication_factor: 1, session_timeout: 6s } }
  state: { type: redis, redis: { endpoint: localhost:6379, key_prefix: ${name} } }`;
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const [httpPort, healthPort] = ports;
  const first = await Daemon.start(config(ports, `${url}/hook`, service), healthPort);
  t.teardown(() => first.stop('SIGKILL'));
  for (const n of ['Latency', 'Errors']) t.equal(await post(httpPort, alert(n, 'checkout')), 200);
  // Accepted means in Kafka; wait until the routing processor put both in their group (in Redis), then kill.
  const redis = new RedisStore({ endpoint: `127.0.0.1:${REDIS_PORT}`, db: 0, keyPrefix: name, maxBackoffMs: 200, commandTimeoutMs: 2000 }, pino({ level: 'silent' }));
  await redis.start();
  t.teardown(() => redis.close());
  const grouped = async (): Promise<number> => {
    const groups = [...(await redis.fields('routing:alert_routing:groups')).keys()];
    return groups.length === 1 ? (await redis.fields(`routing:alert_routing:group:${groups[0]!}`)).size : 0;
  };
  await waitFor('both alerts in the group in Redis', async () => await grouped() === 2, 60_000, 100);
  t.equal(hook.accepted().length, 0, 'killed before group_wait ended');
  await first.stop('SIGKILL');
  const ports2 = await Promise.all([freePort(), freePort(), freePort()]);
  const second = await Daemon.start(config(ports2, `${url}/hook`, service), ports2[1]);
  t.teardown(() => second.stop('SIGKILL'));
  await waitFor('the group notification from the new daemon', () => hook.accepted().length >= 1, 90_000, 200)
    .catch((err: unknown) => { throw new Error(`${String(err)}\n${second.stderr.slice(-3000)}`); });
  await new Promise((r) => setTimeout(r, 3_000));
  t.equal(hook.accepted().length, 1, 'one POST');
  t.same(names(bodies(hook)[0]), ['Errors:firing', 'Latency:firing'], 'both alerts, though the first daemon died before group_wait');
  t.equal(await second.stop('SIGTERM'), 0);
});

t.test('two daemons sharing Kafka and Redis: alerts posted to both make ONE POST; the resolve one more', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable()) || !requireService(t, 'Redis', await redisAvailable())) return;
  const name = `vigil-grouping2-${randomUUID().slice(0, 8)}`;
  const hook = new ScriptedServer(() => ({ status: 200 }));
  const url = await hook.listen();
  t.teardown(() => hook.close());
  const service = `  queue: { type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${name}, group_id: ${name}, partitions: 2, replication_factor: 1, session_timeout: 6s } }
  state: { type: redis, redis: { endpoint: localhost:6379, key_prefix: ${name} } }`;
  const ports = await Promise.all([0, 1].map(() => Promise.all([freePort(), freePort(), freePort()])));
  const daemons = await Promise.all(ports.map((p) => Daemon.start(config(p, `${url}/hook`, service), p[1])));
  for (const d of daemons) t.teardown(() => d.stop('SIGKILL'));
  const logs = (): string => daemons.map((d) => d.stderr.slice(-1500)).join('\n');
  // Each daemon receives some of the alerts; the stage log spreads them over both partitions.
  const names4 = ['Latency', 'Errors', 'Saturation', 'Traffic'];
  for (const [i, n] of names4.entries()) t.equal(await post(ports[i % 2]![0], alert(n, 'checkout')), 200);
  await waitFor('the group notification', () => hook.accepted().length >= 1, 90_000, 200)
    .catch((err: unknown) => { throw new Error(`${String(err)}\n${logs()}`); });
  // The alerts may reach the group at different times (a consumer group joining late): wait for the one
  // notification that lists all four, and count the POSTs that list each alert as newly firing.
  await waitFor('every alert notified', () => new Set(bodies(hook).flatMap((b) => b.alerts.map((a) => a.labels.alertname))).size === 4, 90_000, 200)
    .catch((err: unknown) => { throw new Error(`${String(err)}; ${JSON.stringify(bodies(hook).map(names))}\n${logs()}`); });
  await new Promise((r) => setTimeout(r, 4_000)); // two group_intervals: a double flush would show by now
  const firingPosts = bodies(hook).length;
  // A double flush would repeat a notification with nothing new in it.
  const seen = new Set<string>();
  const stale = bodies(hook).filter((b) => {
    const fresh = b.alerts.filter((a) => !seen.has(a.labels.alertname!));
    for (const a of b.alerts) seen.add(a.labels.alertname!);
    return fresh.length === 0;
  });
  t.equal(stale.length, 0, `every POST brings a new alert: no group notified twice (${JSON.stringify(bodies(hook).map(names))})`);
  if (firingPosts === 1) t.pass('all four in ONE POST');
  else t.comment(`the four alerts reached the group across ${firingPosts} group_intervals (a consumer joined late)`);

  t.equal(await post(ports[0]![0], alert('Errors', 'checkout', 'resolved')), 200);
  await waitFor('the resolve', () => bodies(hook).some((b) => b.alerts.some((a) => a.status === 'resolved')), 90_000, 200)
    .catch((err: unknown) => { throw new Error(`${String(err)}\n${logs()}`); });
  await new Promise((r) => setTimeout(r, 4_000));
  t.equal(bodies(hook).length, firingPosts + 1, 'ONE more POST for the resolve, from one of the two daemons');
  t.same(names(bodies(hook).at(-1)), ['Errors:resolved', 'Latency:firing', 'Saturation:firing', 'Traffic:firing']);
});
