/** Factory of the alert_rules processor: Prometheus alerting and recording rules over the metrics stream. */
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'alert_rules';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, async () => {
  const [{ loadRules }, { createEventAlerts }, { createAlertRules }, { shortFormRules }] = await Promise.all([
    import('./load-rules.js'), import('./events/event-alerts.js'), import('./processor.js'), import('./short-form/translate.js'),
  ]);
  return { loadRules, createEventAlerts, createAlertRules, shortFormRules };
});

/** Builds alert_rules processors; rule files are read and checked at build time (so `vigil validate` reports them). */
export const factory: ProcessorFactory<Config> = {
  emitsEvents: ['vigil.alert'],
  type: TYPE,
  kind: 'processor',
  // logs: the `on_events` alerts, in a logs pipeline fed by the events connector.
  stability: { metrics: 'development', logs: 'development' },
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  // A rule aggregates the series of a service: they must all reach the instance evaluating it.
  partitionKey: (config) => ({ by: 'attribute', name: config.partition_by }),
  create: (settings, config, signal, next) => {
    const { createAlertRules, createEventAlerts, loadRules, shortFormRules } = impl.get();
    if (signal === 'logs') return createEventAlerts(settings, config, next);
    const short = shortFormRules(config.alerts);
    const groups = [...loadRules(config), ...(short.group ? [short.group] : [])];
    return createAlertRules(settings, config, groups, signal, next);
  },
};
