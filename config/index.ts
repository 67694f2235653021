/** The config package: load, merge, expand and validate a vigil configuration. */
export { loadConfig } from './loader.js';
export { ConfigError } from './errors.js';
export type { Position } from './errors.js';
export type { ComponentConfig, LoadOptions, LoadResult, PipelineConfig, ServiceConfig } from './model.js';
export type { QueueSettings, ServiceSection, StateSettings } from './service.js';
export { serviceSchema } from './service.js';
