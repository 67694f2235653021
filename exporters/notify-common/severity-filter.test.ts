/** `severity_filter`: a channel notifies only the severities it lists; the others are counted as filtered, never sent. */
import t from 'tap';
import { z } from 'zod';
import { NoopHost } from '../../test/doubles.js';
import { capturedSettings } from '../exporterhelper/test-support.js';
import { factory as alertmanager } from '../alertmanager/factory.js';
import { factory as email } from '../email/factory.js';
import { factory as pagerduty } from '../pagerduty/factory.js';
import { factory as slack } from '../slack/factory.js';
import { factory as webhook } from '../webhook/factory.js';
import { severityOf, type Alert } from './alert.js';
import { buildAlerts } from './alert-builder.js';
import { deliveryShape } from './config.js';
import { NotifyExporter, type Sink } from './notifier.js';
import { counterValue, FAST_DELIVERY } from './test-support.js';

class RecordingSink implements Sink {
  readonly delivered: Alert[] = [];
  async send(alert: Alert): Promise<void> {
    this.delivered.push(alert);
  }
}

const schema = z.strictObject(deliveryShape());
const alerts = (state: 'firing' | 'resolved') => buildAlerts(['critical', 'high', 'medium', 'low', 'error'].map((severity, i) => ({
  alertname: `A${i}`, state, labels: { severity }, severity: severityOf(severity) ?? 'warning',
  startsAt: 1_000, ...(state === 'resolved' ? { endsAt: 2_000 } : {}),
})))!;

t.test('severity_filter [high, critical]: only those are sent, firing and resolve alike; the rest are counted', async (t) => {
  const { settings } = capturedSettings('slack/oncall');
  const sink = new RecordingSink();
  const exporter = new NotifyExporter(settings, schema.parse({ ...FAST_DELIVERY, severity_filter: ['high', 'critical'] }), sink);
  await exporter.start(new NoopHost());
  t.teardown(() => exporter.shutdown(Date.now() + 1000));
  await exporter.consume(alerts('firing'));
  await exporter.consume(alerts('resolved'));
  t.same(sink.delivered.map((a) => `${a.alertname} ${a.state} ${a.severity}`), [
    'A0 firing critical', 'A1 firing error', 'A4 firing error',
    'A0 resolved critical', 'A1 resolved error', 'A4 resolved error',
  ], 'high is the contract\'s error: both pass');
  t.equal(await counterValue(settings, 'vigil_notifications_total', { exporter: 'slack/oncall', outcome: 'filtered' }), 4, 'medium and low, firing and resolved: counted as filtered');
  t.equal(await counterValue(settings, 'vigil_notifications_total', { exporter: 'slack/oncall', outcome: 'sent' }), 6);
});

t.test('no severity_filter (the default): every severity is sent', async (t) => {
  const { settings } = capturedSettings('webhook');
  const sink = new RecordingSink();
  const exporter = new NotifyExporter(settings, schema.parse(FAST_DELIVERY), sink);
  await exporter.start(new NoopHost());
  t.teardown(() => exporter.shutdown(Date.now() + 1000));
  await exporter.consume(alerts('firing'));
  t.equal(sink.delivered.length, 5);
  t.equal(await counterValue(settings, 'vigil_notifications_total', { outcome: 'filtered' }), 0);
});

t.test('every notification exporter takes severity_filter, and refuses an unknown severity', async (t) => {
  const required: Array<[string, { configSchema: z.ZodType }, object]> = [
    ['slack', slack, { webhook_url: 'http://127.0.0.1:1' }],
    ['pagerduty', pagerduty, { routing_key: 'x'.repeat(32), endpoint: 'http://127.0.0.1:1' }],
    ['email', email, { endpoint: '127.0.0.1:1', from: 'vigil@localhost', to: ['root@localhost'] }],
    ['webhook', webhook, { endpoint: 'http://127.0.0.1:1' }],
    ['alertmanager', alertmanager, { endpoint: 'http://127.0.0.1:1' }],
  ];
  for (const [name, f, base] of required) {
    t.match(f.configSchema.parse({ ...base, severity_filter: ['high', 'critical', 'medium'] }), { severity_filter: ['error', 'critical', 'warning'] }, `${name}: aliases folded`);
    t.match(f.configSchema.parse(base), { severity_filter: [] }, `${name}: default all`);
    t.notOk(f.configSchema.safeParse({ ...base, severity_filter: ['urgent'] }).success, `${name}: unknown severity refused`);
  }
});
