/**
 * The alert_routing processor: decides for every `vigil.alert` record which notification exporters
 * hear it (route tree, silences, inhibitions) and writes the answer on the record
 * (`vigil.alert.receivers`, and `vigil.alert.muted` when muted). Records are never dropped: storage
 * exporters still keep every alert; each notification exporter sends only what names it.
 */
import { Counter, type Registry } from 'prom-client';
import type { Consumer, CreateSettings, Host, Processor } from '../../pipeline/component.js';
import type { HttpHost } from '../../pipeline/http/http-host.js';
import { scoped } from '../../pipeline/state/scope.js';
import { forEachLogRecord } from '../../pdata/index.js';
import type { Payload, Signal } from '../../pdata/payload.js';
import type { AttributesInput } from '../../pdata/build-common.js';
import { ALERT_EVENT_NAME, ATTR, readAlert, type Alert } from '../../exporters/notify-common/index.js';
import { createProcessor } from '../processorhelper/index.js';
import { Acknowledger } from './acknowledge.js';
import { annotateRecords } from './annotate.js';
import type { Config } from './config.js';
import { Decider, type Decision } from './decide.js';
import { Grouper } from './grouper.js';
import type { InhibitRule } from './inhibit.js';
import { parseMatcher } from './matchers.js';
import { anyGrouping, compileRoute } from './route.js';
import { SilenceBook } from './silences.js';
import { silencesApi } from './silences-api.js';

/** `vigil_alert_routing_total{processor, state, outcome}`, shared by every routing processor of the service. */
function routingCounter(registry: Registry): Counter<'processor' | 'state' | 'outcome'> {
  const name = 'vigil_alert_routing_total';
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help: 'Alerts routed by alert_routing, by outcome: routed, silenced, inhibited.', labelNames: ['processor', 'state', 'outcome'], registers: [registry] });
}

/** `vigil_alert_group_notifications_total{processor, status}`: grouped notifications emitted. */
function groupCounter(registry: Registry): Counter<'processor' | 'status'> {
  const name = 'vigil_alert_group_notifications_total';
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help: 'Grouped notifications alert_routing emitted to the exporters, by status.', labelNames: ['processor', 'status'], registers: [registry] });
}

/** Builds the processor; the route tree was validated by the config schema. */
export function createAlertRouting(settings: CreateSettings, config: Config, signal: Signal, next: Consumer): Processor {
  if (!config.route) throw new Error('alert_routing needs a route (the config schema requires one)');
  const root = compileRoute(config.route);
  const inhibitRules: InhibitRule[] = config.inhibit_rules.map((r) => ({
    source: r.source_matchers.map(parseMatcher), target: r.target_matchers.map(parseMatcher), equal: r.equal,
  }));
  const counter = routingCounter(settings.metrics.registry);
  const groups = groupCounter(settings.metrics.registry);
  const id = settings.id.id;
  let decider: Decider | undefined;
  let grouper: Grouper | undefined;
  let acks: Acknowledger | undefined;
  let http: HttpHost | undefined;

  const process = async (payload: Payload): Promise<Payload> => {
    const found: Array<{ index: number; alert: Alert }> = [];
    let index = 0;
    forEachLogRecord(payload, (r) => {
      // Invalid alert records pass unannotated: the exporters count and log them.
      const read = r.eventName === ALERT_EVENT_NAME ? readAlert(r) : undefined;
      if (read !== undefined && typeof read !== 'string') found.push({ index, alert: read });
      index++;
    });
    if (found.length === 0 || !decider) return payload;
    const decisions = await decider.decide(found.map((f) => f.alert));
    // After decide, so the firing set already holds these alerts when a group is flushed.
    await grouper?.add(found.map((f) => f.alert));
    await acks?.record(found.map((f) => f.alert), decisions);
    const byIndex = new Map<number, AttributesInput>();
    found.forEach(({ index: i, alert }, n) => {
      const d = decisions[n]!;
      account(alert, d);
      byIndex.set(i, attributesOf(d));
    });
    return annotateRecords(payload, (i) => byIndex.get(i));
  };

  /** Counts the outcome, and says at debug level why a muted alert is not notified. */
  const account = (a: Alert, d: Decision): void => {
    counter.inc({ processor: id, state: a.state, outcome: d.muted ?? 'routed' });
    if (d.muted) settings.logger.debug({ alertname: a.alertname, state: a.state, fingerprint: a.fingerprint, muted: d.muted, by: d.by }, 'alert muted; not notified');
    else settings.logger.debug({ alertname: a.alertname, state: a.state, fingerprint: a.fingerprint, receivers: d.receivers }, 'alert routed');
  };

  return createProcessor({
    settings, signal, next, process,
    start: async (host: Host) => {
      const store = scoped(host.stateStore(), 'routing', id);
      const silences = config.silences ? new SilenceBook(store, config.silences.retention) : undefined;
      decider = new Decider({ root, inhibitRules, store, silences, decisionTtlMs: config.decision_ttl, logger: settings.logger });
      if (anyGrouping(root)) {
        grouper = new Grouper({
          root, inhibitRules, store, silences, logger: settings.logger, episodeTtlMs: config.decision_ttl,
          emit: (p) => next.consume(p),
          notified: (status) => groups.inc({ processor: id, status }),
        });
        grouper.start();
      }
      if (silences && config.silences) {
        const acknowledger = new Acknowledger({ store, silences, emit: (p) => next.consume(p), logger: settings.logger, episodeTtlMs: config.decision_ttl });
        acks = acknowledger;
        acknowledger.start();
        // Not awaited: the answer to the POST must not wait for the exporters to deliver the acknowledgements.
        http = silencesApi(silences, config.silences.endpoint, `processor ${id}`, settings.logger, Date.now, () => void acknowledger.sweep().catch(() => {}));
        await http.start();
      }
    },
    shutdown: async (deadline: number) => {
      await grouper?.stop(deadline);
      await acks?.stop();
      await http?.close(deadline);
    },
  });
}

/** The attributes written on a routed record. */
function attributesOf(d: Decision): AttributesInput {
  return {
    [ATTR.receivers]: [...d.receivers],
    ...(d.muted ? { [ATTR.muted]: d.muted, [ATTR.mutedBy]: [...(d.by ?? [])] } : {}),
  };
}
