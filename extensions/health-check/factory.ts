/** Factory of the health_check extension. */
import type { ExtensionFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, type Config } from './config.js';

export const TYPE = 'health_check';

/** The implementation, imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./health-check.js'));

/** Builds health_check extensions. */
export const factory: ExtensionFactory<Config> = {
  type: TYPE,
  kind: 'extension',
  stability: {},
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  load: impl.load,
  create: (settings, config) => new (impl.get().HealthCheck)(settings, config),
};
