/**
 * The Redis state store (`service.state.type: redis`). Keys live under `<key_prefix>:`. The
 * client never queues commands while disconnected (ioredis' offline queue is off) and every
 * command has a timeout, so during an outage callers get a RetryableError at once, memory stays
 * bounded, and the client keeps reconnecting in the background with capped exponential backoff.
 */
// Loaded when the store starts: the embedded default never pays for ioredis (~10 MiB of RSS).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { splitEndpoint } from '../../config/types.js';
import { backoffDelay, jitteredBelow } from '../backoff.js';
import { messageOf, RetryableError, UnavailableError } from '../errors.js';
import { checkTtl, DEFAULT_LIST_LIMIT, toBytes, type ManagedStateStore, type StateOp, type StateValue } from './state-store.js';

/** Defaults, named so docs and tests can refer to them. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
export const DEFAULT_MAX_BACKOFF_MS = 2_000;
const MIN_BACKOFF_MS = 100;
/** The Retry-After hint on errors while Redis is away: about one reconnection attempt. */
const RETRY_AFTER_MS = 1_000;
const SCAN_COUNT = 1_000;
/** ioredis rejects timed-out commands with a plain Error carrying exactly this message. */
const TIMEOUT_MESSAGE = 'Command timed out';

/** Settings of the Redis store: `service.state.redis` plus client tuning. */
export interface RedisStoreOptions {
  /** `host:port`. */
  readonly endpoint: string;
  readonly password?: string;
  readonly db: number;
  /** Every key is stored as `<keyPrefix>:<key>`. */
  readonly keyPrefix: string;
  readonly commandTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly maxBackoffMs?: number;
}

/** The Redis implementation of StateStore. */
export class RedisStore implements ManagedStateStore {
  readonly description: string;
  readonly durable = true;
  private client: Redis | undefined;
  private closed = false;
  /** Why the last connection attempt failed (`ECONNREFUSED`, `WRONGPASS …`); cleared on ready. */
  private problem: string | undefined;
  /** Set when the last command timed out on a connection that looks alive (a hung server). */
  private timingOut = false;
  private readonly commandTimeoutMs: number;

  constructor(
    private readonly options: RedisStoreOptions,
    private readonly logger: Logger,
  ) {
    this.description = `redis ${options.endpoint} db ${options.db}`;
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  /** Connects; resolves once connected or after the first failed attempt (reconnection goes on). */
  async start(): Promise<void> {
    const { host, port } = splitEndpoint(this.options.endpoint);
    const reconnect = jitteredBelow({ initialMs: MIN_BACKOFF_MS, multiplier: 2, maxMs: this.options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, jitter: 0.25 });
    const { Redis } = await import('ioredis');
    const client = new Redis({
      host,
      port,
      password: this.options.password,
      db: this.options.db,
      lazyConnect: true,
      enableOfflineQueue: false, // reject at once while disconnected instead of buffering without bound
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: this.commandTimeoutMs,
      connectTimeout: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      // Never give up: a store that stops reconnecting would need a restart to recover.
      retryStrategy: (times) => backoffDelay(reconnect, times),
    });
    this.client = client;
    this.watch(client);
    await client.connect().catch(() => {
      this.logger.warn({ store: this.description, reason: this.reason() }, 'state store unreachable at start; reconnecting in the background');
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    if (!client) return;
    // QUIT lets written commands finish; it is bounded by the command timeout.
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const value = await this.run('GET', (c) => c.getBuffer(this.full(key)));
    return value ?? undefined;
  }

  async put(key: string, value: StateValue, ttlMs?: number): Promise<void> {
    checkTtl(ttlMs);
    await this.run('SET', (c) => (ttlMs === undefined ? c.set(this.full(key), asBuffer(value)) : c.set(this.full(key), asBuffer(value), 'PX', ttlMs)));
  }

  async claim(key: string, value: StateValue, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    return await this.run('SET', (c) => c.set(this.full(key), asBuffer(value), 'PX', ttlMs, 'NX')) === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.run('DEL', (c) => c.del(this.full(key)));
  }

  async batch(ops: readonly StateOp[]): Promise<void> {
    for (const op of ops) if (op.op === 'put') checkTtl(op.ttlMs);
    if (ops.length === 0) return;
    const results = await this.run('MULTI', (c) => {
      const multi = c.multi();
      for (const op of ops) {
        if (op.op === 'delete') multi.del(this.full(op.key));
        else if (op.op === 'set_field') multi.hset(this.full(op.key), op.field, asBuffer(op.value));
        else if (op.op === 'delete_field') multi.hdel(this.full(op.key), op.field);
        else if (op.ttlMs === undefined) multi.set(this.full(op.key), asBuffer(op.value));
        else multi.set(this.full(op.key), asBuffer(op.value), 'PX', op.ttlMs);
      }
      return multi.exec();
    });
    // A MULTI is applied whole unless a command fails at run time (Redis does not roll back).
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw new RetryableError(`redis ${this.options.endpoint}: MULTI failed: ${failed ? messageOf(failed[0]) : 'aborted'}`, RETRY_AFTER_MS);
  }

  async fields(key: string): Promise<Map<string, Uint8Array>> {
    const all = await this.run('HGETALL', (c) => c.hgetallBuffer(this.full(key)));
    return new Map(Object.entries(all));
  }

  async list(prefix: string, limit = DEFAULT_LIST_LIMIT): Promise<string[]> {
    const pattern = `${escapeGlob(this.full(prefix))}*`;
    const strip = this.options.keyPrefix.length + 1;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.run('SCAN', (c) => c.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT));
      for (const k of batch) if (keys.length < limit) keys.push(k.slice(strip));
      cursor = next;
    } while (cursor !== '0' && keys.length < limit);
    return keys;
  }

  notReadyReasons(): string[] {
    if (this.closed) return ['state store is closed'];
    if (this.client?.status !== 'ready') return [this.reason()];
    if (this.timingOut) return [`redis ${this.options.endpoint} not answering: commands time out after ${this.commandTimeoutMs} ms`];
    return [];
  }

  /** Runs one command if connected; maps every failure to a RetryableError that says why. */
  private async run<T>(command: string, f: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.client;
    if (this.closed || !client) throw new UnavailableError('state store is closed');
    if (client.status !== 'ready') throw new RetryableError(this.reason(), RETRY_AFTER_MS);
    try {
      const result = await f(client);
      this.timingOut = false;
      return result;
    } catch (err) {
      if (messageOf(err) === TIMEOUT_MESSAGE) this.timingOut = true;
      throw new RetryableError(`redis ${this.options.endpoint}: ${command} failed: ${messageOf(err)}`, RETRY_AFTER_MS, { cause: err });
    }
  }

  /** Tracks connection state for readiness, and logs an outage once, not once per attempt. */
  private watch(client: Redis): void {
    let down = false;
    client.on('error', (err: NodeJS.ErrnoException) => {
      this.problem = err.code ?? err.message;
      if (!down && !this.closed) this.logger.warn({ store: this.description, err: err.message }, 'state store connection failed; reconnecting');
      down = true;
    });
    client.on('close', () => {
      this.problem ??= 'connection lost';
      if (!down && !this.closed) this.logger.warn({ store: this.description }, 'state store connection lost; reconnecting');
      down = true;
    });
    client.on('ready', () => {
      if (down) this.logger.info({ store: this.description }, 'state store connected again');
      down = false;
      this.problem = undefined;
      this.timingOut = false;
    });
  }

  private reason(): string {
    return `redis ${this.options.endpoint} unreachable: ${this.problem ?? this.client?.status ?? 'not started'}`;
  }

  private full(key: string): string {
    return `${this.options.keyPrefix}:${key}`;
  }
}

/** A Buffer over the same bytes (no copy); ioredis sends Buffers as they are. */
function asBuffer(value: StateValue): Buffer {
  const bytes = toBytes(value);
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Escapes Redis glob metacharacters so a prefix matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
