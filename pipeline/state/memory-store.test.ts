import t from 'tap';
import { UnavailableError } from '../errors.js';
import { MemoryStore } from './memory-store.js';
import { scoped } from './scope.js';

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));

t.test('put, get, delete; strings are stored as UTF-8 bytes', async (t) => {
  const store = new MemoryStore();
  await store.start();
  t.teardown(() => store.close());
  await store.put('a', 'Grüße');
  await store.put('b', Uint8Array.of(0, 255));
  t.equal(text(await store.get('a')), 'Grüße');
  t.same([...(await store.get('b'))!], [0, 255]);
  await store.delete('a');
  await store.delete('never-there');
  t.equal(await store.get('a'), undefined);
});

t.test('stored bytes are copies: neither the writer nor a reader can change them', async (t) => {
  const store = new MemoryStore();
  const value = Uint8Array.of(1, 2, 3);
  await store.put('k', value);
  value[0] = 9;
  const read = (await store.get('k'))!;
  read[1] = 9;
  t.same([...(await store.get('k'))!], [1, 2, 3]);
});

t.test('keys expire after their TTL, on read and on sweep', async (t) => {
  let now = 1_000;
  const store = new MemoryStore({ now: () => now });
  await store.put('short', 'x', 100);
  await store.put('long', 'y', 10_000);
  await store.put('forever', 'z');
  now += 99;
  t.equal(text(await store.get('short')), 'x', 'still there just before expiry');
  now += 1;
  t.equal(await store.get('short'), undefined, 'gone at expiry');
  now += 20_000;
  t.equal(store.size, 2, 'the unread expired key is still held until a sweep');
  store.sweep();
  t.equal(store.size, 1);
  t.equal(text(await store.get('forever')), 'z');
  await t.rejects(store.put('bad', 'x', 0), RangeError);
  await t.rejects(store.put('bad', 'x', 1.5), RangeError);
});

t.test('batch applies puts and deletes in order, and nothing when one op is invalid', async (t) => {
  const store = new MemoryStore();
  await store.put('old', 'x');
  await store.batch([{ op: 'put', key: 'n', value: '1' }, { op: 'delete', key: 'old' }, { op: 'put', key: 'n', value: '2' }]);
  t.equal(text(await store.get('n')), '2');
  t.equal(await store.get('old'), undefined);
  await t.rejects(store.batch([{ op: 'put', key: 'm', value: '1' }, { op: 'put', key: 'p', value: '1', ttlMs: -5 }]), RangeError);
  t.equal(await store.get('m'), undefined, 'the valid op before the invalid one was not applied');
});

t.test('list returns live keys under a prefix, bounded by limit', async (t) => {
  let now = 0;
  const store = new MemoryStore({ now: () => now });
  for (let i = 0; i < 5; i++) await store.put(`p:1:${i}`, 'v');
  await store.put('p:1:expiring', 'v', 10);
  await store.put('p:2:0', 'v');
  now = 10;
  t.same((await store.list('p:1:')).sort(), ['p:1:0', 'p:1:1', 'p:1:2', 'p:1:3', 'p:1:4']);
  t.equal((await store.list('p:', 3)).length, 3);
  t.same(await store.list('q'), []);
});

t.test('scoped views namespace keys and strip the namespace from listings', async (t) => {
  const store = new MemoryStore();
  const p0 = scoped(store, 'tail_sampling', 'traces', 0);
  const p1 = scoped(store, 'tail_sampling', 'traces', 1);
  await p0.put('trace:a', 'zero');
  await p1.batch([{ op: 'put', key: 'trace:a', value: 'one' }]);
  t.equal(text(await p0.get('trace:a')), 'zero');
  t.equal(text(await store.get('tail_sampling:traces:1:trace:a')), 'one');
  t.same(await p1.list('trace:'), ['trace:a']);
  await p0.delete('trace:a');
  t.same(await store.list(''), ['tail_sampling:traces:1:trace:a']);
});

t.test('after close, operations reject with a retryable UnavailableError and readiness says why', async (t) => {
  const store = new MemoryStore();
  await store.start();
  t.same(store.notReadyReasons(), []);
  await store.close();
  await t.rejects(store.get('k'), UnavailableError);
  t.same(store.notReadyReasons(), ['state store is closed']);
});
