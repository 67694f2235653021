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
}

/** Main thread → forwarding thread. */
export type ToForwarder =
  | { readonly type: 'metrics'; readonly id: number }
  | { readonly type: 'shutdown'; readonly deadline: number };

/** Forwarding thread → main thread. */
export type FromForwarder =
  | { readonly type: 'started' }
  | { readonly type: 'start-failed'; readonly error: string }
  | { readonly type: 'ready'; readonly reasons: string[] }
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: MetricsJson }
  | { readonly type: 'stopped'; readonly errors: string[] };
