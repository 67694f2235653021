/** Factory of the events connector: routes the events a pipeline's processors emit into logs pipelines. */
import type { ConnectorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'events';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./events.js'));

/** Builds events connectors: traces → logs and metrics → logs. */
export const factory: ConnectorFactory<Config> = {
  type: TYPE,
  kind: 'connector',
  stability: { traces: 'development', metrics: 'development' },
  connects: { traces: ['logs'], metrics: ['logs'] },
  configSchema,
  createDefaultConfig: () => ({}),
  load: impl.load,
  create: (_settings, _config, from, to, next) => {
    if (to !== 'logs') throw new Error(`events connects ${from} to logs, not to ${to}`);
    return new (impl.get().EventsConnector)(next);
  },
};
