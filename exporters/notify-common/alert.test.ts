import t from 'tap';
import { fromJson } from '../../pdata/index.js';
import { ALERT_EVENT_NAME, buildAlerts, fingerprintOf, notificationKey, readAlerts } from './index.js';

t.test('what the builder writes, the reader reads back', async (t) => {
  const payload = buildAlerts([
    {
      alertname: 'HighLatency', state: 'firing', severity: 'critical', labels: { service_name: 'checkout' },
      annotations: { summary: 's' }, startsAt: new Date('2026-11-26T10:00:00Z'), value: 1.5,
      traceIds: ['5b8efff798038103d269b633813fc60c', '0af7651916cd43dd8448eb211c80319c'], generatorUrl: 'http://g',
    },
    { alertname: 'HighLatency', state: 'resolved', labels: { service_name: 'checkout' }, startsAt: Date.parse('2026-11-26T10:00:00Z'), endsAt: Date.parse('2026-11-26T10:05:00Z') },
  ])!;
  const { alerts, invalid } = readAlerts(payload);
  t.same(invalid, []);
  const fingerprint = fingerprintOf({ alertname: 'HighLatency', service_name: 'checkout' });
  t.same(alerts[0], {
    alertname: 'HighLatency', state: 'firing', severity: 'critical', labels: { service_name: 'checkout', alertname: 'HighLatency' },
    annotations: { summary: 's' }, startsAtMs: Date.parse('2026-11-26T10:00:00Z'), timeUnixNano: 1_795_687_200_000_000_000n, fingerprint,
    traceIds: ['5b8efff798038103d269b633813fc60c', '0af7651916cd43dd8448eb211c80319c'], generatorUrl: 'http://g', value: 1.5,
  });
  t.match(alerts[1], { state: 'resolved', severity: 'warning', fingerprint, endsAtMs: Date.parse('2026-11-26T10:05:00Z'), timeUnixNano: 1_795_687_500_000_000_000n });
  t.not(notificationKey(alerts[0]!), notificationKey(alerts[1]!), 'firing and resolve are two notifications');
});

/** One logs request in OTLP/JSON with the given records, as any producer could write it. */
function otlpJson(records: unknown[]): string {
  return JSON.stringify({ resourceLogs: [{ resource: {}, scopeLogs: [{ scope: { name: 'x' }, logRecords: records }] }] });
}
const kv = (key: string, value: unknown) => ({ key, value });

t.test('a minimal record from any producer: alertname, state and labels; the rest defaults', async (t) => {
  const payload = fromJson('logs', otlpJson([
    { timeUnixNano: '1764151200000000000', body: { stringValue: 'a plain log' } },
    {
      timeUnixNano: '1764151200000000000', eventName: ALERT_EVENT_NAME, traceId: '5b8efff798038103d269b633813fc60c',
      attributes: [kv('alertname', { stringValue: 'ErrorRate' }), kv('state', { stringValue: 'firing' }), kv('severity', { stringValue: 'HIGH' }),
        kv('labels', { kvlistValue: { values: [kv('service_name', { stringValue: 'cart' }), kv('code', { intValue: '500' })] } })],
    },
  ])).payload!;
  const { alerts, invalid } = readAlerts(payload);
  t.same(invalid, [], 'the plain log is not an alert, and not invalid either');
  t.match(alerts[0], {
    alertname: 'ErrorRate', severity: 'error', startsAtMs: 1_764_151_200_000, labels: { service_name: 'cart', code: '500', alertname: 'ErrorRate' },
    fingerprint: fingerprintOf({ alertname: 'ErrorRate', service_name: 'cart', code: '500' }), traceIds: ['5b8efff798038103d269b633813fc60c'],
  });
  t.equal(alerts[0]!.endsAtMs, undefined);
});

t.test('records that break the contract are reported with the reason', async (t) => {
  const alert = (...attributes: unknown[]) => ({ timeUnixNano: '1764151200000000000', eventName: ALERT_EVENT_NAME, attributes });
  const name = kv('alertname', { stringValue: 'A' });
  const payload = fromJson('logs', otlpJson([
    alert(name),
    alert(name, kv('state', { stringValue: 'resolved' })),
    alert(name, kv('state', { stringValue: 'firing' }), kv('severity', { stringValue: 'urgent' })),
    alert(kv('state', { stringValue: 'firing' })),
    alert(name, kv('state', { stringValue: 'firing' }), kv('labels', { stringValue: 'x' })),
    alert(name, kv('state', { stringValue: 'firing' }), kv('alert.schema_version', { intValue: '2' })),
  ])).payload!;
  t.same(readAlerts(payload).invalid.map((i) => i.reason), [
    'state must be "firing" or "resolved", got null',
    'starts_at must be an RFC 3339 time (required on resolve)',
    'severity must be one of critical, error, high, warning, medium, info, low, got "urgent"',
    'alertname is missing',
    'labels must be a map of strings',
    'alert.schema_version 2 is newer than 1',
  ]);
});

t.test("the fingerprint is Alertmanager's (FNV-1a 64 over sorted labels)", async (t) => {
  t.equal(fingerprintOf({}), 'cbf29ce484222325', 'the FNV offset basis for no labels');
  t.equal(fingerprintOf({ b: '2', a: '1' }), fingerprintOf({ a: '1', b: '2' }), 'order does not matter');
  t.not(fingerprintOf({ a: '1b' }), fingerprintOf({ a1: 'b' }), 'names and values are separated');
});
