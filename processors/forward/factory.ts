/** Factory of the forward connector: joins pipelines of one signal, passing payloads on unchanged. */
import type { ConnectorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'forward';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./forward.js'));

/** Builds forward connectors: traces→traces, metrics→metrics, logs→logs. */
export const factory: ConnectorFactory<Config> = {
  type: TYPE,
  kind: 'connector',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  connects: { traces: ['traces'], metrics: ['metrics'], logs: ['logs'] },
  passesThrough: true,
  configSchema,
  createDefaultConfig: () => ({}),
  load: impl.load,
  create: (_settings, _config, from, to, next) => {
    if (from !== to) throw new Error(`forward connects a signal to itself, not ${from} to ${to}`);
    return new (impl.get().ForwardConnector)(next);
  },
};
