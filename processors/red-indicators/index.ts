/** The `red_indicators` processor: RED gauges per service and operation from span metrics. */
export { factory } from './factory.js';
export type { Config } from './config.js';
