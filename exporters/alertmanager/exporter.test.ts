import t from 'tap';
import { factory } from './factory.js';
import { FAST_DELIVERY, ScriptedServer, counterValue, sampleAlert, started } from '../notify-common/test-support.js';
import { fingerprintOf } from '../notify-common/index.js';
import { waitFor } from '../../test/wait.js';
import { NoopHost } from '../../test/doubles.js';
import { requireService } from '../../test/services.js';
import { alertmanagerInstalled, startAlertmanager } from './real-alertmanager.js';

/** What GET /api/v2/alerts answers per alert (gettableAlert, the fields read here). */
interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  status: { state: string };
  generatorURL: string;
}

async function alertsOf(url: string): Promise<GettableAlert[]> {
  const res = await fetch(`${url}/api/v2/alerts`);
  return (await res.json()) as GettableAlert[];
}

t.test('a real Alertmanager: the alert is active while firing, kept alive by re-sends, gone after the resolve', async (t) => {
  if (!requireService(t, 'prometheus-alertmanager (apt-get install prometheus-alertmanager)', await alertmanagerInstalled())) return;
  const url = await startAlertmanager(t);
  const { exporter, settings } = await started(factory, 'alertmanager', { endpoint: url, resend_interval: '500ms', ...FAST_DELIVERY });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const { firing, resolved, input } = sampleAlert();
  await exporter.consume(firing);
  await exporter.consume(firing);
  const [alert] = await waitFor('the alert in Alertmanager', async () => {
    const all = await alertsOf(url);
    return all.length === 1 ? all : undefined;
  }, 15_000);
  const labels = { alertname: 'HighLatency', service_name: 'checkout', team: 'payments' };
  t.same(alert!.labels, labels);
  t.same(alert!.annotations, input.annotations);
  t.equal(alert!.status.state, 'active');
  t.equal(alert!.startsAt, '2026-11-26T10:00:00.000Z');
  t.equal(alert!.generatorURL, 'http://vigil.example/rules/HighLatency');
  t.equal(alert!.fingerprint, fingerprintOf(labels), 'Alertmanager computes the fingerprint vigil does');
  const firstEnd = Date.parse(alert!.endsAt);
  t.ok(firstEnd > Date.now(), 'valid into the future');
  await waitFor('a re-send moving endsAt forward', async () => Date.parse((await alertsOf(url))[0]?.endsAt ?? '') > firstEnd, 15_000);
  t.pass('re-sent while firing');

  await exporter.consume(resolved);
  await exporter.consume(resolved);
  await waitFor('the alert resolved', async () => (await alertsOf(url)).length === 0, 15_000);
  t.pass('resolved in Alertmanager');
  t.equal(await counterValue(settings, 'vigil_notifications_total', { outcome: 'sent' }), 2, 'one firing and one resolve notification');
  t.equal(await counterValue(settings, 'vigil_notifications_total', { outcome: 'duplicate' }), 2);
});

t.test('one POST per firing and per resolve through 429 and 5xx; re-sends repeat only firing alerts', async (t) => {
  const server = new ScriptedServer(() => ({ status: 200 }));
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter } = await started(factory, 'alertmanager/retry', { endpoint: url, resend_interval: '1h', ...FAST_DELIVERY });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const { firing, resolved } = sampleAlert();
  server.script.push({ status: 429, headers: { 'retry-after': '1' } }, { status: 503 });
  await exporter.consume(firing);
  await exporter.consume(firing);
  server.script.push({ status: 500 });
  await exporter.consume(resolved);
  await exporter.consume(resolved);
  t.same(server.received.map((r) => r.status), [429, 503, 200, 500, 200]);
  const bodies = server.accepted().map((r) => JSON.parse(r.body) as Array<{ endsAt: string; labels: Record<string, string> }>);
  t.equal(bodies.length, 2);
  t.equal(bodies[0]![0]!.labels.alertname, 'HighLatency');
  t.equal(bodies[1]![0]!.endsAt, '2026-11-26T10:10:00.000Z', 'the resolve carries endsAt');
  t.ok(server.received.every((r) => r.url === '/api/v2/alerts'));
});

t.test('two instances sharing the state store: the survivor re-sends what the other delivered, and a resolve from either ends every re-send', async (t) => {
  const server = new ScriptedServer(() => ({ status: 200 }));
  const url = await server.listen();
  t.teardown(() => server.close());
  const host = new NoopHost();
  const config = { endpoint: url, resend_interval: '200ms', ...FAST_DELIVERY };
  const a = await started(factory, 'alertmanager', config, host);
  const b = await started(factory, 'alertmanager', config, host);
  t.teardown(() => b.exporter.shutdown(Date.now() + 2000));
  const { firing, resolved } = sampleAlert();
  await a.exporter.consume(firing);
  await a.exporter.shutdown(Date.now() + 2000); // as good as killed: its process memory is gone
  const posted = server.received.length;
  await waitFor('the other instance re-sending the firing alert', () => server.received.length >= posted + 2, 15_000);
  const bodies = () => server.received.map((r) => JSON.parse(r.body) as Array<{ endsAt: string }>);
  t.ok(bodies().slice(posted).every((body) => body.length === 1 && Date.parse(body[0]!.endsAt) > Date.now()), 're-sent as firing, valid into the future');
  await b.exporter.consume(resolved);
  const afterResolve = server.received.length;
  await new Promise((r) => setTimeout(r, 1_000)); // five resend intervals
  t.equal(server.received.length, afterResolve, 'no re-send after the resolve');
  t.equal(bodies().at(-1)![0]!.endsAt, '2026-11-26T10:10:00.000Z', 'the last post is the resolve');
});

t.test('config', async (t) => {
  t.match(factory.configSchema.parse({}), { endpoint: 'http://localhost:9093', resend_interval: 60_000 });
  t.throws(() => factory.configSchema.parse({ resend_interval: '10ms' }), /at least 100ms/);
});
