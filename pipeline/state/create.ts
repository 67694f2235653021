/** Builds the state store `service.state` asks for. */
import type { Logger } from 'pino';
import type { StateSettings } from '../../config/index.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { ManagedStateStore } from './state-store.js';

/** The memory store by default, the Redis store for `type: redis`; not started. */
export function createStateStore(settings: StateSettings, logger: Logger): ManagedStateStore {
  if (settings.type === 'memory') return new MemoryStore();
  const r = settings.redis;
  return new RedisStore({ endpoint: r.endpoint, password: r.password, db: r.db, keyPrefix: r.key_prefix }, logger);
}
