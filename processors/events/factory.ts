/** Factory of the events connector: routes the events a pipeline's processors emit into logs pipelines. */
import type { ConnectorFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { EventsConnector } from './events.js';

/** The component type, as written in configs. */
export const TYPE = 'events';

/** Builds events connectors: traces → logs and metrics → logs. */
export const factory: ConnectorFactory<Config> = {
  type: TYPE,
  kind: 'connector',
  stability: { traces: 'development', metrics: 'development' },
  connects: { traces: ['logs'], metrics: ['logs'] },
  configSchema,
  createDefaultConfig: () => ({}),
  create: (_settings, _config, from, to, next) => {
    if (to !== 'logs') throw new Error(`events connects ${from} to logs, not to ${to}`);
    return new EventsConnector(next);
  },
};
