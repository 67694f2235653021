/** Factory of the alert_routing processor: Alertmanager's route tree, inhibit rules and silences in front of the notification exporters. */
import { closest } from '../../config/suggest.js';
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, receiversOf, type Config } from './config.js';

/** The component type, as written in configs. */
export const TYPE = 'alert_routing';

/** The implementation (and fastify, for the silences API), imported only when a config names this type. */
const impl = lazyModule(TYPE, () => import('./processor.js'));

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
  load: impl.load,
  create: (settings, config, signal, next) => impl.get().createAlertRouting(settings, config, signal, next),
};
