/** The anomaly processor: per-series streaming detectors on the stateful processor API. */
import type { Consumer, CreateSettings, Processor } from '../../pipeline/component.js';
import type { Signal } from '../../pdata/index.js';
import { createStatefulProcessor } from '../processorhelper/index.js';
import type { Config } from './config.js';
import { AnomalyWorker } from './worker.js';

/** An anomaly processor for one metrics pipeline. */
export function createAnomaly(settings: CreateSettings, config: Config, signal: Signal, next: Consumer): Processor {
  return createStatefulProcessor({
    settings, signal, next,
    open: (ctx) => AnomalyWorker.open(ctx, config),
  });
}
