/** The alert_rules processor. */
export { factory, TYPE } from './factory.js';
export type { Config } from './config.js';
