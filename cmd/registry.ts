/**
 * Which components a vigil binary is built with: the factories, and the module that exports them
 * as `FACTORIES`, so that a daemon's forwarding thread (cmd/forward-worker.ts)
 * loads the same list. vigil's own is ./components; tests add components through their own.
 */
import type { Factory } from '../pipeline/component.js';

/** A list of factories and where it comes from. */
export interface Registry {
  readonly factories: readonly Factory[];
  /** URL of an ES module exporting `FACTORIES` (the same list). */
  readonly module: string;
}

/** The factories of the registry module at `url`. */
export async function loadRegistry(url: string): Promise<readonly Factory[]> {
  const mod = (await import(url)) as { FACTORIES?: readonly Factory[] };
  if (!mod.FACTORIES) throw new Error(`bug: ${url} exports no FACTORIES`);
  return mod.FACTORIES;
}
