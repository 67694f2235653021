/**
 * Promise: an alert reaches each notification sink exactly once per firing and once per resolve,
 * through the daemon — across a sink outage (503s, 429 with Retry-After) during which the stage
 * log holds the record, and when the producer emits the same alert record again.
 */
import t from 'tap';
import { Daemon, freePort } from '../daemon.js';
import { waitFor } from '../wait.js';
import { ScriptedServer, sampleAlert } from '../../exporters/notify-common/test-support.js';
import type { Payload } from '../../pdata/payload.js';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcdE';

async function post(port: number, payload: Payload): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(payload.bytes) });
  await res.arrayBuffer();
  return res.status;
}

/** The sum of a self-metric's samples whose labels contain `match`. */
async function metric(port: number, name: string, match: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes(match)).reduce((s, l) => s + Number(l.split(' ').pop()), 0);
}

t.test('through the daemon: one webhook and one PagerDuty notification per state change, through an outage and a re-emit', async (t) => {
  const hook = new ScriptedServer(() => ({ status: 200 }));
  const pd = new ScriptedServer(() => ({ status: 202, body: '{"status":"success","message":"Event processed"}' }));
  const [hookUrl, pdUrl] = await Promise.all([hook.listen(), pd.listen()]);
  t.teardown(() => Promise.all([hook.close(), pd.close()]));
  // The outage: the webhook answers 503 four times, PagerDuty throttles twice.
  hook.script.push(...Array.from({ length: 4 }, () => ({ status: 503 })));
  pd.script.push({ status: 429, headers: { 'retry-after': '1' } }, { status: 429, headers: { 'retry-after': '1' } });
  const [httpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const fast = 'retry_on_failure: { initial_interval: 200ms, max_interval: 1s }';
  const daemon = await Daemon.start(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${httpPort} } } }
exporters:
  webhook: { endpoint: ${hookUrl}/hook, secret: whsec_${Buffer.from('0123456789abcdef').toString('base64')}, ${fast} }
  pagerduty: { routing_key: ${ROUTING_KEY}, endpoint: ${pdUrl}/v2/enqueue, ${fast} }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  pipelines:
    logs: { receivers: [otlp], exporters: [webhook, pagerduty] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  const { firing, resolved } = sampleAlert();

  t.equal(await post(httpPort, firing), 200, 'accepted into the stage log while the sinks are down');
  await waitFor('the firing delivered to both', () => hook.accepted().length === 1 && pd.accepted().length === 1, 30_000);
  t.equal(hook.received.length, 5, 'the webhook was retried through its outage');
  t.equal(pd.received.length, 3, 'PagerDuty was retried after each Retry-After');

  t.equal(await post(httpPort, firing), 200, 'the same firing record again');
  t.equal(await post(httpPort, resolved), 200);
  t.equal(await post(httpPort, resolved), 200);
  await waitFor('both exporters skipped the two repeats', async () =>
    await metric(metricsPort, 'vigil_notifications_total', 'outcome="duplicate"') === 4, 30_000);
  t.equal(hook.accepted().length, 2, 'webhook: one firing, one resolve');
  t.equal(pd.accepted().length, 2, 'PagerDuty: one trigger, one resolve');
  t.same(pd.accepted().map((r) => (JSON.parse(r.body) as { event_action: string }).event_action), ['trigger', 'resolve']);
  t.same(hook.accepted().map((r) => (JSON.parse(r.body) as { status: string }).status), ['firing', 'resolved']);
  t.equal(await metric(metricsPort, 'vigil_notifications_total', 'outcome="sent"'), 4);
  t.equal(await daemon.stop('SIGTERM'), 0, 'exits 0');
});
