/** Factory of the alert_routing processor: Alertmanager's route tree, inhibit rules and silences in front of the notification exporters. */
import { closest } from '../../config/suggest.js';
import type { ProcessorFactory } from '../../pipeline/component.js';
import { configSchema, receiversOf, type Config } from './config.js';
import { createAlertRouting } from './processor.js';

/** The component type, as written in configs. */
export const TYPE = 'alert_routing';

/** Builds alert_routing processors. A route is required, so the default config does not validate alone. */
export const factory: ProcessorFactory<Config> = {
  type: TYPE,
  kind: 'processor',
  stability: { logs: 'development' },
  configSchema,
  createDefaultConfig: () => ({ ...configSchema.parse({ route: { receiver: 'default' } }), route: undefined }),
  // A receiver that is not an exporter of the pipeline would notify nobody: refused, not ignored.
  checkInPipeline: (config, pipeline) => receiversOf(config.route)
    .filter(({ receiver }) => !pipeline.exporters.includes(receiver))
    .map(({ receiver, path }) => {
      const near = closest(receiver, pipeline.exporters);
      return {
        path,
        message: `receiver "${receiver}" is not an exporter of pipeline "${pipeline.id}" (its exporters: ${pipeline.exporters.join(', ') || 'none'})${near ? `; did you mean "${near}"?` : ''}; alerts routed there would notify nobody`,
      };
    }),
  create: (settings, config, signal, next) => createAlertRouting(settings, config, signal, next),
};
