/** The baseline processor: per-series trailing and seasonal baselines and degradation rules on the stateful processor API. */
import type { Consumer, CreateSettings, Processor } from '../../pipeline/component.js';
import type { Signal } from '../../pdata/index.js';
import { createStatefulProcessor } from '../processorhelper/index.js';
import type { Config } from './config.js';
import { BaselineWorker } from './worker.js';

/** A baseline processor for one metrics pipeline. */
export function createBaseline(settings: CreateSettings, config: Config, signal: Signal, next: Consumer): Processor {
  return createStatefulProcessor({
    settings, signal, next,
    open: (ctx) => BaselineWorker.open(ctx, config),
  });
}
