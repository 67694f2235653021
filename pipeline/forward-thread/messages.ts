/**
 * What the two threads of a Kafka-queue daemon say to each other (./forward-thread, ./serve). Plain
 * objects, since they cross the thread boundary by structured clone.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
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

/** Main thread → forwarding thread. */
export type ToForwarder =
  | { readonly type: 'metrics'; readonly id: number }
  | { readonly type: 'state-read'; readonly id: number; readonly read: StateRead }
  | { readonly type: 'shutdown'; readonly deadline: number };

/** Forwarding thread → main thread. */
export type FromForwarder =
  | { readonly type: 'started' }
  | { readonly type: 'start-failed'; readonly error: string }
  | { readonly type: 'ready'; readonly reasons: string[] }
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: MetricsJson }
  | { readonly type: 'state-read'; readonly id: number; readonly answer: StateReadAnswer }
  | { readonly type: 'stopped'; readonly errors: string[] };
