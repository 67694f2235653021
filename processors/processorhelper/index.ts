/** Helpers shared by processors: wrapping a pure payload function, stateful per-partition workers, and otelcol's metric labels. */
export { createProcessor, pipelineOf, processorLabels, type ProcessFn, type ProcessorLabels, type ProcessorOptions } from './processor.js';
export { createStatefulProcessor, type PartitionContext, type PartitionWorker, type StatefulOptions } from './stateful.js';
export { checkpointEvery, every } from './periodic.js';
export { decodeSeriesState, encodeSeries, OFFSET_FIELD, seriesField } from './series-state.js';
