import t from 'tap';
import { factory } from './factory.js';
import { FAST_DELIVERY, ScriptedServer, counterValue, sampleAlert, started, type Received } from '../notify-common/test-support.js';
import { buildAck, fingerprintOf, readAlerts } from '../notify-common/index.js';


const ROUTING_KEY = 'R0123456789abcdef0123456789abcdE';

/** The Events API v2 as documented: 202 with a status body, 400 for an invalid event. */
function eventsApi(r: Received) {
  const body = JSON.parse(r.body) as { routing_key?: string; event_action?: string; dedup_key?: string; payload?: { summary?: string; severity?: string; source?: string } };
  const invalid = body.routing_key?.length !== 32 || !['trigger', 'acknowledge', 'resolve'].includes(body.event_action ?? '')
    || (body.event_action === 'trigger' && !(body.payload?.summary && body.payload.source && body.payload.severity));
  if (r.url !== '/v2/enqueue' || invalid) {
    return { status: 400, body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: ['Length of \'routing_key\' is incorrect'] }) };
  }
  return { status: 202, body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: body.dedup_key }) };
}

t.test('one trigger per firing, one resolve, none duplicated after 429, 5xx and redelivery', async (t) => {
  const server = new ScriptedServer(eventsApi);
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter, settings } = await started(factory, 'pagerduty', {
    routing_key: ROUTING_KEY, endpoint: `${url}/v2/enqueue`, trace_url: 'https://jaeger.example/trace/{trace_id}', client_url: 'http://vigil', ...FAST_DELIVERY,
  });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const { firing, resolved } = sampleAlert();
  server.script.push({ status: 429, headers: { 'retry-after': '1' } }, { status: 502, body: 'bad gateway' });
  const began = Date.now();
  await exporter.consume(firing);
  t.ok(Date.now() - began >= 950, 'waited for Retry-After');
  await exporter.consume(firing);
  t.equal(server.received.length, 3, 'three attempts, nothing for the redelivery');
  const accepted = server.accepted();
  t.equal(accepted.length, 1, 'one trigger');
  const fingerprint = fingerprintOf({ alertname: 'HighLatency', service_name: 'checkout', team: 'payments' });
  t.same(JSON.parse(accepted[0]!.body), {
    routing_key: ROUTING_KEY, dedup_key: fingerprint, event_action: 'trigger',
    payload: {
      summary: 'p95 latency of checkout is 1.4s', source: 'checkout', severity: 'critical', timestamp: '2026-11-26T10:00:00.000Z',
      component: 'checkout', group: 'payments', class: 'HighLatency',
      custom_details: {
        labels: { alertname: 'HighLatency', service_name: 'checkout', team: 'payments' },
        annotations: { summary: 'p95 latency of checkout is 1.4s', description: 'p95 above 1s for 5m' },
        fingerprint, value: 1432.5, trace_ids: ['5b8efff798038103d269b633813fc60c'],
      },
    },
    links: [{ href: 'http://vigil.example/rules/HighLatency', text: 'Alert rule' },
      { href: 'https://jaeger.example/trace/5b8efff798038103d269b633813fc60c', text: 'Trace 5b8efff798038103d269b633813fc60c' }],
    client: 'vigil', client_url: 'http://vigil',
  });

  server.script.push({ status: 500 });
  await exporter.consume(resolved);
  await exporter.consume(resolved);
  t.equal(server.accepted().length, 2, 'one resolve');
  t.same(JSON.parse(server.accepted()[1]!.body), { routing_key: ROUTING_KEY, dedup_key: fingerprint, event_action: 'resolve' });
  t.equal(await counterValue(settings, 'vigil_notifications_total', { outcome: 'sent' }), 2);
});

t.test('severities map to the four PagerDuty knows; an invalid event is dead-lettered', async (t) => {
  const server = new ScriptedServer(eventsApi);
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter, settings, lines } = await started(factory, 'pagerduty/sev', { routing_key: ROUTING_KEY, endpoint: `${url}/v2/enqueue`, ...FAST_DELIVERY });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  for (const severity of ['critical', 'error', 'warning', 'info'] as const) {
    await exporter.consume(sampleAlert({ alertname: `A${severity}`, severity }).firing);
  }
  t.same(server.accepted().map((r) => (JSON.parse(r.body) as { payload: { severity: string } }).payload.severity), ['critical', 'error', 'warning', 'info']);
  server.script.push({ status: 400, body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: ['bad'] }) });
  await exporter.consume(sampleAlert({ alertname: 'Refused' }).firing);
  t.equal(await counterValue(settings, 'vigil_notifications_dead_lettered_total', { reason: 'rejected' }), 1);
  t.match(lines.find((l) => l.msg === 'notification dead-lettered'), { alertname: 'Refused', err: /Event object is invalid; bad/ });
});

t.test('config', async (t) => {
  t.throws(() => factory.configSchema.parse({ routing_key: 'short' }), /32-character integration key/);
  t.match(factory.configSchema.parse({ routing_key: ROUTING_KEY }), { endpoint: 'https://events.pagerduty.com/v2/enqueue', rate_limit: { per_second: 2 } });
});

t.test('an acknowledgement routed here sends acknowledge with the trigger\'s dedup_key, once; one routed elsewhere sends nothing', async (t) => {
  const server = new ScriptedServer(eventsApi);
  const url = await server.listen();
  t.teardown(() => server.close());
  const { exporter, settings } = await started(factory, 'pagerduty/ack', { routing_key: ROUTING_KEY, endpoint: `${url}/v2/enqueue`, ...FAST_DELIVERY });
  t.teardown(() => exporter.shutdown(Date.now() + 2000));
  const { firing, resolved } = sampleAlert();
  const alert = readAlerts(firing).alerts[0]!;
  const ack = (receivers: string[]) => buildAck({ alert: { ...alert, receivers }, silenceIds: ['s-1'], createdBy: 'ops@example.com' }, Date.now())!;
  await exporter.consume(firing);
  await exporter.consume(ack(['pagerduty/ack']));
  await exporter.consume(ack(['pagerduty/ack']));
  await exporter.consume(ack(['slack']));
  await exporter.consume(resolved);
  const bodies = server.accepted().map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string });
  t.same(bodies.map((b) => b.event_action), ['trigger', 'acknowledge', 'resolve'], 'one acknowledge between the trigger and the resolve');
  t.same(bodies[1], { routing_key: ROUTING_KEY, event_action: 'acknowledge', dedup_key: alert.fingerprint }, 'the Events v2 acknowledge body');
  t.equal(bodies[1]!.dedup_key, bodies[0]!.dedup_key, 'the same dedup_key as the trigger');
  t.equal(await counterValue(settings, 'vigil_notifications_total', { state: 'acknowledged', outcome: 'sent' }), 1);
  t.equal(await counterValue(settings, 'vigil_notifications_total', { state: 'acknowledged', outcome: 'duplicate' }), 1);
});
