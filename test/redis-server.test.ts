import t from 'tap';
import { redisOrSkip } from './redis-server.js';

/** Records what redisOrSkip asked of the test. */
function fakeTest(): { fail: (m: string) => void; skip: (m: string, cb: () => void) => void; failed: string[]; skipped: string[] } {
  const failed: string[] = [];
  const skipped: string[] = [];
  return { fail: (m) => void failed.push(m), skip: (m) => void skipped.push(m), failed, skipped };
}
const as = (f: ReturnType<typeof fakeTest>): Parameters<typeof redisOrSkip>[0] => f as unknown as Parameters<typeof redisOrSkip>[0];

t.test('without redis-server: fails when services are required, else skips loudly', async (t) => {
  const missing = '/nonexistent/redis-server';
  for (const env of [{ CI: 'true' }, { VIGIL_REQUIRE_SERVICES: '1' }]) {
    const f = fakeTest();
    t.equal(redisOrSkip(as(f), { binary: missing, env }), false);
    t.match(f.failed, [/redis-server is required here.*\/nonexistent\/redis-server is not installed/]);
    t.same(f.skipped, []);
  }
  const f = fakeTest();
  const warned: string[] = [];
  t.equal(redisOrSkip(as(f), { binary: missing, env: {}, warn: (m) => void warned.push(m) }), false);
  t.same(f.failed, []);
  t.match(f.skipped, [/^SKIPPED: .* is not installed/]);
  t.match(warned, [/\*\*\* SKIPPING redis tests: .* is not installed/], 'said loudly on stderr');
});

t.test('with redis-server installed the test runs', async (t) => {
  const f = fakeTest();
  t.equal(redisOrSkip(as(f), { binary: process.execPath, env: { CI: 'true' } }), true, 'any existing binary path counts as installed');
  t.same([...f.failed, ...f.skipped], []);
});
