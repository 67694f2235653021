/** Runs the Redis store against a private redis-server: data operations, then outages. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { RedisServer, redisOrSkip } from '../../test/redis-server.js';
import { waitFor } from '../../test/wait.js';
import { RetryableError, UnavailableError } from '../errors.js';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';

const logger = pino({ level: process.env.VIGIL_TEST_LOG ?? 'silent' });
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));

/** A started store; closed at teardown. */
async function openStore(t: Test, options: Partial<RedisStoreOptions> & { endpoint: string }): Promise<RedisStore> {
  const store = new RedisStore({ db: 0, keyPrefix: `test-${randomUUID().slice(0, 8)}`, maxBackoffMs: 200, commandTimeoutMs: 500, ...options }, logger);
  t.teardown(() => store.close());
  await store.start();
  return store;
}

t.test('redis store', async (t) => {
  if (!redisOrSkip(t)) return;
  const server = await RedisServer.start({ password: 's3cret' });
  t.teardown(() => server.kill());
  const raw = new Redis({ host: '127.0.0.1', port: server.port, password: 's3cret', db: 3, lazyConnect: true });
  await raw.connect();
  t.teardown(() => raw.disconnect());

  t.test('put, get, delete under the key prefix, in the configured db, with the password', async (t) => {
    const store = await openStore(t, { endpoint: server.endpoint, password: 's3cret', db: 3, keyPrefix: 'pfx-a' });
    t.same(store.notReadyReasons(), []);
    await store.put('k', 'Grüße');
    await store.put('bin', Uint8Array.of(0, 1, 255));
    t.equal(text(await store.get('k')), 'Grüße');
    t.same([...(await store.get('bin'))!], [0, 1, 255]);
    t.equal(await raw.get('pfx-a:k'), 'Grüße', 'stored as <key_prefix>:<key> in db 3');
    await store.delete('k');
    t.equal(await store.get('k'), undefined);
    t.equal(await raw.exists('pfx-a:k'), 0);
  });

  t.test('a TTL becomes a Redis expiry', async (t) => {
    const store = await openStore(t, { endpoint: server.endpoint, password: 's3cret', db: 3, keyPrefix: 'pfx-ttl' });
    await store.put('short', 'x', 150);
    await store.put('long', 'x', 60_000);
    const pttl = await raw.pttl('pfx-ttl:long');
    t.ok(pttl > 59_000 && pttl <= 60_000, `expiry set (${pttl} ms)`);
    await waitFor('the short key to expire', async () => (await store.get('short')) === undefined, 2_000);
    await t.rejects(store.put('bad', 'x', 0), RangeError);
  });

  t.test('batch is one MULTI; list finds keys under a prefix, glob characters taken literally', async (t) => {
    const store = await openStore(t, { endpoint: server.endpoint, password: 's3cret', db: 3, keyPrefix: 'pfx-b' });
    await store.put('gone', 'x');
    await store.batch([
      { op: 'put', key: 'p[0]:a', value: '1' },
      { op: 'put', key: 'p[0]:b', value: '2', ttlMs: 60_000 },
      { op: 'put', key: 'p1:a', value: '3' },
      { op: 'delete', key: 'gone' },
    ]);
    t.equal(await store.get('gone'), undefined);
    t.same((await store.list('p[0]:')).sort(), ['p[0]:a', 'p[0]:b'], 'the brackets did not match p1');
    t.same((await store.list('')).sort(), ['p1:a', 'p[0]:a', 'p[0]:b']);
    t.equal((await store.list('p', 1)).length, 1, 'bounded by limit');
    await store.batch([]);
  });

  t.test('a wrong password: start still resolves, readiness says why, writes reject', async (t) => {
    const store = await openStore(t, { endpoint: server.endpoint, password: 'wrong' });
    const reasons = await waitFor('a not-ready reason', () => store.notReadyReasons().length > 0 && store.notReadyReasons(), 3_000);
    t.match(reasons[0], /^redis 127\.0\.0\.1:\d+ unreachable: WRONGPASS/);
    await t.rejects(store.put('k', 'v'), RetryableError);
  });

  t.test('outage: writes reject at once with the reason, readiness follows the connection', async (t) => {
    const own = await RedisServer.start();
    t.teardown(() => own.kill());
    const store = await openStore(t, { endpoint: own.endpoint });
    await store.put('before', '1');

    await own.kill();
    const reasons = await waitFor('readiness to notice the outage', () => store.notReadyReasons().length > 0 && store.notReadyReasons(), 3_000);
    t.match(reasons, [/^redis 127\.0\.0\.1:\d+ unreachable: (ECONNREFUSED|connection lost)$/]);
    await waitFor('ECONNREFUSED in the reason', () => /ECONNREFUSED/.test(store.notReadyReasons()[0] ?? ''), 3_000);
    const started = Date.now();
    const err = await store.put('during', '1').catch((e: unknown) => e);
    t.type(err, RetryableError);
    t.match((err as Error).message, /unreachable: ECONNREFUSED/);
    t.ok(Date.now() - started < 100, `rejected at once (${Date.now() - started} ms), not queued`);
    await t.rejects(store.get('before'), RetryableError);

    await own.restart();
    await waitFor('the store to reconnect', () => store.notReadyReasons().length === 0, 5_000);
    await store.put('after', '2');
    t.equal(text(await store.get('after')), '2');
  });

  t.test('a hung server: commands time out within the command timeout, readiness says so', async (t) => {
    const own = await RedisServer.start();
    t.teardown(async () => {
      own.thaw();
      await own.kill();
    });
    const store = await openStore(t, { endpoint: own.endpoint, commandTimeoutMs: 300 });
    own.freeze();
    const started = Date.now();
    await t.rejects(store.get('k'), RetryableError);
    const took = Date.now() - started;
    t.ok(took >= 250 && took < 4_000, `rejected after the command timeout (${took} ms)`);
    t.match(store.notReadyReasons(), [/not answering: commands time out after 300 ms/]);
    own.thaw();
    await store.put('k', 'v');
    t.same(store.notReadyReasons(), [], 'a command that succeeds clears the reason');
  });

  t.test('unreachable at start: start resolves promptly and reconnection goes on', async (t) => {
    const own = await RedisServer.start();
    t.teardown(() => own.kill());
    await own.kill();
    const started = Date.now();
    const store = await openStore(t, { endpoint: own.endpoint });
    t.ok(Date.now() - started < 3_000, `start resolved in ${Date.now() - started} ms`);
    t.match(store.notReadyReasons(), [/unreachable: ECONNREFUSED/]);
    await own.restart();
    await waitFor('the store to connect', () => store.notReadyReasons().length === 0, 5_000);
    await store.put('k', 'v');
  });

  t.test('after close, operations reject and the reason says closed', async (t) => {
    const store = await openStore(t, { endpoint: server.endpoint, password: 's3cret' });
    await store.close();
    await t.rejects(store.get('k'), UnavailableError);
    t.same(store.notReadyReasons(), ['state store is closed']);
  });
});
