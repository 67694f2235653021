export { factory } from './factory.js';
export type { Config } from './config.js';
