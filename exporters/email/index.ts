/** Public surface of the component: its factory and parsed config type. */
export { factory, TYPE } from './factory.js';
export type { Config } from './config.js';
