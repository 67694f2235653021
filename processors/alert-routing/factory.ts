/** Factory of the alert_routing processor: Alertmanager's route tree, inhibit rules and silences in front of the notification exporters. */
import { closest } from '../../config/suggest.js';
import type { ProcessorFactory } from '../../pipeline/component.js';
import { lazyModule } from '../../pipeline/lazy-module.js';
import { configSchema, GROUPING_EXPORTER_TYPES, groupedReceiversOf, receiversOf, type Config } from './config.js';

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
  checkInPipeline: (config, pipeline) => [
    ...receiversOf(config.route)
      .filter(({ receiver }) => !pipeline.exporters.includes(receiver))
      .map(({ receiver, path }) => {
        const near = closest(receiver, pipeline.exporters);
        return {
          path,
          message: `receiver "${receiver}" is not an exporter of pipeline "${pipeline.id}" (its exporters: ${pipeline.exporters.join(', ') || 'none'})${near ? `; did you mean "${near}"?` : ''}; alerts routed there would notify nobody`,
        };
      }),
    // A grouped notification is one message: only exporters that can render one may receive it.
    ...groupedReceiversOf(config.route)
      .filter(({ receiver }) => pipeline.exporters.includes(receiver) && !GROUPING_EXPORTER_TYPES.includes(receiver.split('/')[0]!))
      .map(({ receiver, path }) => ({
        path,
        message: `receiver "${receiver}" is on a grouped route (group_by, group_wait, group_interval or repeat_interval here or above), but the ${receiver.split('/')[0]} exporter does not render grouped notifications yet (only ${GROUPING_EXPORTER_TYPES.join(', ')} do); route it from a branch without grouping keys`,
      })),
  ],
  load: impl.load,
  create: (settings, config, signal, next) => impl.get().createAlertRouting(settings, config, signal, next),
};
