/**
 * Promise: on the Kafka queue a notification survives a crash. The sink is down, the daemon that
 * holds the alert is killed (-9); the next daemon of the group reads the record again and delivers
 * it once, and with Redis state it knows what was already delivered, so a repeat notifies nobody.
 */
import t from 'tap';
import { Daemon, freePort } from '../daemon.js';
import { waitFor } from '../wait.js';
import { dropTopicsAtEnd, unique } from '../kafka.js';
import { kafkaAvailable, redisAvailable, requireService } from '../services.js';
import { ScriptedServer, sampleAlert } from '../../exporters/notify-common/test-support.js';
import type { Payload } from '../../pdata/payload.js';

async function post(port: number, payload: Payload): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(payload.bytes) });
  await res.arrayBuffer();
  return res.status;
}

t.test('kill -9 during a sink outage: the next daemon delivers the alert once', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable()) || !requireService(t, 'Redis', await redisAvailable())) return;
  const name = unique('vigil-notify');
  dropTopicsAtEnd(t, name);
  let down = true;
  const hook = new ScriptedServer(() => ({ status: down ? 503 : 200 }));
  const hookUrl = await hook.listen();
  t.teardown(() => hook.close());
  const config = (httpPort: number, healthPort: number) => `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${httpPort} } } }
exporters:
  webhook: { endpoint: ${hookUrl}/hook, retry_on_failure: { initial_interval: 200ms, max_interval: 500ms } }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { level: none }, logs: { level: warn } }
  queue: { type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${name}, group_id: ${name}, partitions: 1, replication_factor: 1, session_timeout: 6s } }
  state: { type: redis, redis: { endpoint: localhost:6379, key_prefix: ${name} } }
  pipelines:
    logs: { receivers: [otlp], exporters: [webhook] }
`;
  const portsA = [await freePort(), await freePort()] as const;
  const a = Daemon.spawn(config(...portsA), portsA[1]);
  t.teardown(() => a.stop('SIGKILL'));
  // Generous: health waits for the consumer group, which a loaded machine joins slowly.
  await a.waitHealthy(60_000);
  const { firing, resolved } = sampleAlert();
  t.equal(await post(portsA[0], firing), 200, 'acknowledged: in Kafka');
  await waitFor('the webhook to be tried while down', () => hook.received.length >= 2, 60_000);
  await a.stop('SIGKILL');
  t.equal(hook.accepted().length, 0, 'nothing delivered before the crash');

  down = false;
  const portsB = [await freePort(), await freePort()] as const;
  const b = Daemon.spawn(config(...portsB), portsB[1]);
  t.teardown(() => b.stop('SIGKILL'));
  // The group waits for the killed member's session (6s) to expire before B gets the partition.
  await b.waitHealthy(60_000);
  await waitFor('the firing delivered by the next daemon', () => hook.accepted().length === 1, 90_000);
  t.equal(await post(portsB[0], firing), 200, 'the same firing again');
  t.equal(await post(portsB[0], resolved), 200);
  await waitFor('the resolve delivered', () => hook.accepted().length >= 2, 60_000);
  t.same(hook.accepted().map((r) => (JSON.parse(r.body) as { status: string }).status), ['firing', 'resolved'], 'one firing, one resolve');
  t.equal(await b.stop('SIGTERM'), 0);
  t.equal(hook.accepted().length, 2, 'nothing more after the drain');
});
