/** Start-up and shutdown bookkeeping shared by the sides of a service (./service, ./ingest-side, ./forward-side). */
import type { Component, Host } from './component.js';
import { messageOf } from './errors.js';

/** What was started so far, to stop in reverse order when start-up fails part way. */
export class Started {
  private readonly stack: Array<(deadline: number) => Promise<void>> = [];

  /** Starts `c`, and remembers to stop it. */
  async start(c: Component, host: Host): Promise<void> {
    await c.start(host);
    this.stack.push((deadline) => c.shutdown(deadline));
  }

  /** Remembers how to undo something started without a Component around it. */
  push(stop: (deadline: number) => Promise<void>): void {
    this.stack.push(stop);
  }

  /** Stops everything started, newest first, ignoring errors: start-up already failed. */
  async rollback(deadline: number): Promise<void> {
    for (const stop of this.stack.reverse()) await stop(deadline).catch(() => {});
  }
}

/** Stops components by one deadline and collects every error instead of stopping at the first. */
export class Stopping {
  readonly errors: Error[] = [];

  constructor(readonly deadline: number) {}

  /** Shuts `c` down; an error is kept, prefixed with `what`. */
  async stop(what: string, c: Component): Promise<void> {
    try {
      await c.shutdown(this.deadline);
    } catch (err) {
      this.errors.push(new Error(`${what}: ${messageOf(err)}`));
    }
  }
}
