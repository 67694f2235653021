/**
 * Imports what one config needs and nothing else: the implementation of every component type it
 * names (each factory's `load()`) and, on the Kafka queue, the Kafka stage log. Every thread that
 * builds components (the daemon, the forwarding thread, `vigil validate`'s dry build) awaits it
 * first; `Service.create` does.
 */
import type { ServiceConfig } from '../config/index.js';
import { lazyModule } from './lazy-module.js';

/** The Kafka stage log and the client library behind it, loaded only for `service.queue.type: kafka`. */
export const kafkaQueueModule = lazyModule('queue:kafka', () => import('./kafka/kafka-queue.js'));

const SECTIONS = ['extensions', 'receivers', 'processors', 'connectors', 'exporters'] as const;

/** Loads the implementations `config` names; resolves once every one is imported (rejects if one cannot be). */
export async function loadImplementations(config: ServiceConfig): Promise<void> {
  const factories = new Set(SECTIONS.flatMap((s) => [...config[s].values()].map((c) => c.factory)));
  const loads: Array<Promise<void>> = [];
  for (const f of factories) if (f.load) loads.push(f.load());
  if (config.service.queue.type === 'kafka') loads.push(kafkaQueueModule.load());
  await Promise.all(loads);
}
