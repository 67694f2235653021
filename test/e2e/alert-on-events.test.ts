/**
 * Promise (issue 12): anomaly events trigger alerts directly. The real daemon takes `vigil.anomaly`
 * events (OTLP log records, as the anomaly processor writes them, sent here over OTLP/HTTP) into a
 * logs pipeline whose `alert_rules` has `on_events: [vigil.anomaly]` with a severity floor: the
 * events below the floor page nobody, the first one above it produces exactly one Slack message,
 * later events of the same series none.
 */
import t from 'tap';
import { LogsBuilder } from '../../pdata/index.js';
import { ScriptedServer, type Received } from '../../exporters/notify-common/test-support.js';
import { Daemon, freePort } from '../daemon.js';
import { waitFor } from '../wait.js';

const TRACE = '5b8efff798038103d269b633813fc60c';

/** One anomaly event now, of severity `severity`, for GET /checkout of shop. */
function anomaly(severity: 'warning' | 'error' | 'critical'): Uint8Array {
  const b = new LogsBuilder();
  b.scope({ 'service.name': 'shop' }, { name: 'vigil.processor.anomaly', version: '1' }).add({
    eventName: 'vigil.anomaly', timeUnixNano: BigInt(Date.now()) * 1_000_000n, severityNumber: severity === 'warning' ? 13 : 17, severityText: severity,
    attributes: {
      'span.name': 'GET /checkout', 'vigil.event.version': 1, 'metric.name': 'vigil.red.latency.p95', value: 1432.5, expected: 120,
      score: 0.93, threshold: 0.5, severity, detector: 'robust_z', 'evidence.trace_ids': [TRACE],
    },
  });
  return b.build()!.bytes;
}

t.test('on_events on the daemon: an anomaly above the floor pages once, one below it never', async (t) => {
  const slack = new ScriptedServer(() => ({ status: 200, body: 'ok' }));
  const slackUrl = await slack.listen();
  t.teardown(() => slack.close());
  const [otlpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const daemon = await Daemon.start(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${otlpPort} } } }
processors:
  alert_rules:
    idle_timeout: 1s
    alerts:
      - name: AnomalyDetected
        on_events: [vigil.anomaly]
        min_severity: error
        severity: high
        cooldown: 10m
exporters:
  slack: { webhook_url: ${slackUrl}/hook, retry_on_failure: { initial_interval: 200ms, max_interval: 1s } }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  queue: { type: memory }
  pipelines:
    logs: { receivers: [otlp], processors: [alert_rules], exporters: [slack] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  const send = async (body: Uint8Array): Promise<number> => (await fetch(`http://127.0.0.1:${otlpPort}/v1/logs`, {
    method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(body),
  })).status;
  const processed = async (): Promise<number> => (await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).split('\n')
    .filter((l) => l.startsWith('otelcol_processor_incoming_items') && l.includes('alert_rules'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  const hooks = (): Received[] => slack.accepted();

  t.equal(await send(anomaly('warning')), 200, 'a warning anomaly is accepted');
  await waitFor('the warning through alert_rules', async () => await processed() >= 1, 60_000, 100);
  await new Promise((r) => setTimeout(r, 2_000));
  t.equal(hooks().length, 0, 'below the floor: nobody paged');

  t.equal(await send(anomaly('critical')), 200);
  await waitFor('the Slack message', () => hooks().length >= 1, 60_000, 100)
    .catch((err: unknown) => { throw new Error(`${String(err)}\ndaemon stderr:\n${daemon.stderr.slice(-4000)}`); });
  t.equal(await send(anomaly('error')), 200, 'the same series again');
  await waitFor('the second event through alert_rules', async () => await processed() >= 3, 60_000, 100);
  await new Promise((r) => setTimeout(r, 2_000));
  t.equal(hooks().length, 1, 'one Slack message');
  t.match(hooks()[0]?.body, /FIRING.*AnomalyDetected/, 'the firing of the on_events alert');
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
});
