export { factory, TYPE } from './factory.js';
export type { Config } from './config.js';
