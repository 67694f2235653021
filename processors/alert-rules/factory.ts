/** Factory of the alert_rules processor: Prometheus alerting and recording rules over the metrics stream. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { loadRules } from './load-rules.js';
import { createEventAlerts } from './events/event-alerts.js';
import { createAlertRules } from './processor.js';
import { shortFormRules } from './short-form/translate.js';

/** The component type, as written in configs. */
export const TYPE = 'alert_rules';

/** Builds alert_rules processors; rule files are read and checked at build time (so `vigil validate` reports them). */
export const factory: ProcessorFactory<Config> = {
  emitsEvents: ['vigil.alert'],
  type: TYPE,
  kind: 'processor',
  // logs: the `on_events` alerts, in a logs pipeline fed by the events connector.
  stability: { metrics: 'development', logs: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  // A rule aggregates the series of a service: they must all reach the instance evaluating it.
  partitionKey: (config) => ({ by: 'attribute', name: config.partition_by }),
  create: (settings, config, signal, next) => {
    if (signal === 'logs') return createEventAlerts(settings, config, next);
    const short = shortFormRules(config.alerts);
    const groups = [...loadRules(config), ...(short.group ? [short.group] : [])];
    return createAlertRules(settings, config, groups, signal, next, short.cooldowns);
  },
};
