/** Factory of the health_check extension. */
import type { ExtensionFactory } from '../../pipeline/component.js';
import { configSchema, type Config } from './config.js';
import { HealthCheck } from './health-check.js';

export const TYPE = 'health_check';

/** Builds health_check extensions. */
export const factory: ExtensionFactory<Config> = {
  type: TYPE,
  kind: 'extension',
  stability: {},
  configSchema,
  createDefaultConfig: () => configSchema.parse({}),
  create: (settings, config) => new HealthCheck(settings, config),
};
