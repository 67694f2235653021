/**
 * Lazy component implementations: a factory module holds only what config loading needs (type,
 * kind, stability, schema, defaults) and imports its implementation, with the libraries behind it
 * (kafkajs, nodemailer, a PromQL parser...), on `load()`. A daemon then pays in memory and
 * start-up only for the component types its config names (pipeline/README.md, "Loading").
 */

/** Types whose implementation module was imported in this thread, in load order (for tests and diagnostics). */
const loaded: string[] = [];

/** An implementation module imported on the first `load()`; `get()` hands it out once loaded. */
export interface LazyModule<M> {
  /** Imports the module once; later calls return the same promise. */
  readonly load: () => Promise<void>;
  /** The module; throws (a bug) when `load()` has not resolved yet. */
  readonly get: () => M;
}

/**
 * A lazy implementation of component type `type`. `importer` MUST be a literal dynamic import
 * (`() => import('./processor.js')`), so that nothing of the implementation is imported before.
 */
export function lazyModule<M>(type: string, importer: () => Promise<M>): LazyModule<M> {
  let module: M | undefined;
  let loading: Promise<void> | undefined;
  return {
    load: () => (loading ??= importer().then((m) => {
      module = m;
      loaded.push(type);
    })),
    get: () => {
      if (module === undefined) throw new Error(`bug: a "${type}" component was created before its factory's load() resolved`);
      return module;
    },
  };
}

/** The component types (and `queue:kafka`) whose implementations this thread has imported so far. */
export function loadedImplementations(): readonly string[] {
  return [...loaded];
}
