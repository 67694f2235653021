/** Shared test doubles: a recording consumer, a no-op consumer, a no-op host, settings for factories. */
import { pino } from 'pino';
import type { Consumer, CreateSettings, Extension, Host, ServiceStatus } from '../pipeline/component.js';
import { parseComponentId } from '../pipeline/component.js';
import type { Payload } from '../pdata/payload.js';
import { MemoryStore } from '../pipeline/state/memory-store.js';
import type { StateStore } from '../pipeline/state/state-store.js';
import { SelfMetrics } from '../pipeline/telemetry.js';

/** Records every payload it is given; `fail` makes the next calls reject with that error. */
export class RecordingConsumer implements Consumer {
  readonly received: Payload[] = [];
  fail: Error | undefined;
  /** Thrown by checkRoom (a full stage log), before anything is decoded. */
  full: Error | undefined;
  /** The sizes checkRoom was asked about. */
  readonly checked: number[] = [];

  checkRoom(bytes: number): void {
    this.checked.push(bytes);
    if (this.full) throw this.full;
  }

  async consume(payload: Payload): Promise<void> {
    if (this.fail) throw this.fail;
    this.received.push(payload);
  }

  /** Total items (spans, points, log records) received. */
  get items(): number {
    return this.received.reduce((n, p) => n + p.itemCount, 0);
  }
}

/** Accepts everything and keeps nothing. */
export const noopConsumer: Consumer = { consume: async () => {} };

/** A host that is always running and ready, with an in-memory state store. */
export class NoopHost implements Host {
  state: ServiceStatus = 'running';
  readonly store = new MemoryStore();
  /** What `getExtensions` answers; tests add to it. */
  readonly extensions = new Map<string, Extension>();
  stateStore(): StateStore {
    return this.store;
  }
  getExtensions(): ReadonlyMap<string, Extension> {
    return this.extensions;
  }
  status(): ServiceStatus {
    return this.state;
  }
  notReadyReasons(): string[] {
    return [];
  }
}

/** CreateSettings for a component under test: silent logger, fresh metrics registry. */
export function testSettings(id: string, metrics = new SelfMetrics()): CreateSettings {
  return { id: parseComponentId(id), logger: pino({ level: process.env.VIGIL_TEST_LOG ?? 'silent' }), metrics };
}
