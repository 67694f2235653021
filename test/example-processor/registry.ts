/** vigil's registry plus the example window_sum processor: what the example's daemons run with. */
import { FACTORIES as VIGIL_FACTORIES } from '../../cmd/components.js';
import type { Factory } from '../../pipeline/component.js';
import { factory as windowSum } from './factory.js';

/** Every vigil component, and window_sum. */
export const FACTORIES: readonly Factory[] = [...VIGIL_FACTORIES, windowSum];
