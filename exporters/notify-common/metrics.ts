/** The notification exporters' own self-metrics, registered once per service registry. */
import { Counter, type Registry } from 'prom-client';

/** Outcomes of a notification. */
export type Outcome = 'sent' | 'duplicate' | 'dead_lettered' | 'invalid' | 'filtered' | 'not_routed';

/** The counters a notification exporter updates. */
export interface NotifyMetrics {
  /** `vigil_notifications_total{exporter, state, outcome}`. */
  readonly notifications: Counter<'exporter' | 'state' | 'outcome'>;
  /** `vigil_notifications_dead_lettered_total{exporter, reason}`: given up after the TTL, or refused by the sink. */
  readonly deadLettered: Counter<'exporter' | 'reason'>;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  // Every notification exporter of the service shares one counter, told apart by its `exporter` label.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** The counters in `registry`, created by the first exporter that asks. */
export function notifyMetrics(registry: Registry): NotifyMetrics {
  return {
    notifications: counter(registry, 'vigil_notifications_total',
      'Alert notifications by outcome: sent, duplicate (already sent, skipped), dead_lettered, invalid (not a valid vigil.alert record), filtered (below the channel\'s severity_filter), not_routed (alert_routing sent it to other receivers, or muted it).',
      ['exporter', 'state', 'outcome']),
    deadLettered: counter(registry, 'vigil_notifications_dead_lettered_total',
      'Alert notifications given up: reason ttl_expired (retried for dead_letter_ttl) or rejected (the sink refused it permanently).',
      ['exporter', 'reason']),
  };
}
