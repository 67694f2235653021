/**
 * What the two threads of a daemon with a forwarding thread say to each other (./forward-thread,
 * ./serve). Plain objects, since they cross the thread boundary by structured clone; the records of
 * an append cross as one transferred ArrayBuffer.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Signal } from '../../pdata/payload.js';
import type { PortableConfig } from './portable-config.js';

/** A registry's metrics as `getMetricsAsJSON()` returns them, summable across threads. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** What the forwarding thread needs to build its side: the config the main thread validated. */
export interface ForwardWorkerData {
  readonly config: PortableConfig;
  /** URL of the module exporting the factories as FACTORIES (cmd/registry): the main thread's list. */
  readonly registry: string;
}

/** A read of the forwarding thread's state store, asked by the main thread (the memory store lives there only). */
export type StateRead =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'list'; readonly prefix: string; readonly limit?: number }
  | { readonly op: 'fields'; readonly key: string };

/** The answer to a StateRead: the value (`get`), the keys (`list`), or why it failed. */
export type StateReadAnswer =
  | { readonly value: Uint8Array | undefined }
  | { readonly keys: string[] }
  | { readonly fields: Map<string, Uint8Array> }
  | { readonly error: string; readonly retryable: boolean };

/** One record of an append: its partition, its length in the append's buffer (records follow each other), its item count. */
export type AppendPart = readonly [partition: number, length: number, items: number];

/** Why the forwarding thread refused an append: the error's class name (./relay-log rebuilds it), message and retry hint. */
export interface AppendRefusal {
  readonly name: string;
  readonly message: string;
  readonly retryAfterMs?: number;
}

/** Main thread → forwarding thread. */
export type ToForwarder =
  | { readonly type: 'append'; readonly id: number; readonly log: string; readonly signal: Signal; readonly bytes: ArrayBuffer; readonly parts: readonly AppendPart[] }
  | { readonly type: 'metrics'; readonly id: number }
  | { readonly type: 'state-read'; readonly id: number; readonly read: StateRead }
  | { readonly type: 'shutdown'; readonly deadline: number };

/** Forwarding thread → main thread. */
export type FromForwarder =
  | { readonly type: 'started' }
  | { readonly type: 'start-failed'; readonly error: string }
  | { readonly type: 'ready'; readonly reasons: string[]; readonly logBytes: Readonly<Record<string, number>> }
  | { readonly type: 'appended'; readonly id: number; readonly log: string; readonly logBytes: number; readonly refused?: AppendRefusal }
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: MetricsJson }
  | { readonly type: 'state-read'; readonly id: number; readonly answer: StateReadAnswer }
  | { readonly type: 'stopped'; readonly errors: string[] };
