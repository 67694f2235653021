/**
 * The state store as the main thread of a daemon with a forwarding thread sees it: the store belongs to the
 * forwarding thread (processors checkpoint there), and the main thread (extensions such as a query
 * API) may only read it. Writes reject with a PermanentError, so a component that writes from the
 * wrong thread learns it at once rather than racing the owner.
 */
import { PermanentError } from '../errors.js';
import type { ManagedStateStore, StateStore } from './state-store.js';

/** Reads of a store kept elsewhere: `get` and `list` as StateStore defines them. */
export type StateReader = Pick<StateStore, 'get' | 'list' | 'fields'>;

/** A read-only view of `reader`; `inner` (when given) is started on the first read and closed with the view. */
export class ReadOnlyStore implements ManagedStateStore {
  private starting: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly description: string,
    private readonly reader: StateReader,
    /** A store this view owns (the main thread's own Redis client); opened lazily, so unused it costs nothing. */
    private readonly inner: ManagedStateStore | undefined,
    /** Whether the store read is durable (StateStore.durable). */
    readonly durable: boolean,
  ) {}

  /** Nothing to do: the first read opens `inner`. */
  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    if (this.starting) await this.inner?.close();
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    await this.open();
    return this.reader.get(key);
  }

  async fields(key: string): Promise<Map<string, Uint8Array>> {
    await this.open();
    return this.reader.fields(key);
  }

  async list(prefix: string, limit?: number): Promise<string[]> {
    await this.open();
    return this.reader.list(prefix, limit);
  }

  async put(): Promise<void> {
    throw readOnly();
  }

  async delete(): Promise<void> {
    throw readOnly();
  }

  async batch(): Promise<void> {
    throw readOnly();
  }

  /** Empty: the forwarding thread reports the store's reachability, once for the daemon. */
  notReadyReasons(): string[] {
    return [];
  }

  private async open(): Promise<void> {
    if (this.closed) throw new PermanentError('state store: closed');
    if (this.inner) await (this.starting ??= this.inner.start());
  }
}

/** The error every write gets. */
function readOnly(): PermanentError {
  return new PermanentError('state store: read-only on the main thread of a daemon with a forwarding thread; processors on the forwarding thread write it');
}
