/** Helpers shared by processors: wrapping a pure payload function, and otelcol's metric labels. */
export { createProcessor, pipelineOf, processorLabels, type ProcessFn, type ProcessorLabels, type ProcessorOptions } from './processor.js';
