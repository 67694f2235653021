/** Routing (processors/alert-routing): an exporter sends only the alerts whose `vigil.alert.receivers` name it. */
import t from 'tap';
import { z } from 'zod';
import { capturedSettings } from '../exporterhelper/test-support.js';
import { factory as routing } from '../../processors/alert-routing/factory.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import type { Alert } from './alert.js';
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
await routing.load?.();

t.test('routed records reach only their receivers; the others count them as not_routed; unrouted records reach all', async (t) => {
  const next = new RecordingConsumer();
  const router = routing.create(testSettings('alert_routing'), routing.configSchema.parse({
    route: { receiver: 'slack/team', routes: [{ matchers: ['severity="critical"'], receiver: 'pagerduty', continue: true }, { matchers: ['severity="critical"'], receiver: 'slack/team' }] },
  }), 'logs', next);
  await router.start(new NoopHost());
  t.teardown(() => router.shutdown(Date.now()));
  const payload = buildAlerts([
    { alertname: 'Down', state: 'firing', severity: 'critical', labels: { severity: 'critical' }, startsAt: 1_000 },
    { alertname: 'Slow', state: 'firing', severity: 'warning', labels: { severity: 'warning' }, startsAt: 1_000 },
  ])!;
  await router.consume(payload);
  const exporters = await Promise.all(['pagerduty', 'slack/team', 'webhook'].map(async (id) => {
    const { settings } = capturedSettings(id);
    const sink = new RecordingSink();
    const exporter = new NotifyExporter(settings, schema.parse(FAST_DELIVERY), sink);
    await exporter.start(new NoopHost());
    t.teardown(() => exporter.shutdown(Date.now() + 1000));
    await exporter.consume(next.received[0]!);
    return { id, sink, settings };
  }));
  t.same(exporters.map((e) => [e.id, e.sink.delivered.map((a) => a.alertname)]), [
    ['pagerduty', ['Down']], ['slack/team', ['Down', 'Slow']], ['webhook', []],
  ]);
  t.equal(await counterValue(exporters[0]!.settings, 'vigil_notifications_total', { exporter: 'pagerduty', outcome: 'not_routed' }), 1);
  t.equal(await counterValue(exporters[2]!.settings, 'vigil_notifications_total', { exporter: 'webhook', outcome: 'not_routed' }), 2);

  // Without a routing processor in front, every exporter notifies every alert, as before.
  const { settings } = capturedSettings('webhook');
  const sink = new RecordingSink();
  const plain = new NotifyExporter(settings, schema.parse(FAST_DELIVERY), sink);
  await plain.start(new NoopHost());
  t.teardown(() => plain.shutdown(Date.now() + 1000));
  await plain.consume(payload);
  t.equal(sink.delivered.length, 2);
});
