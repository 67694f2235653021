/** health_check answers as otelcol's does: the path, the status codes, the JSON bodies, the content type. */
import { createServer } from 'node:net';
import t, { type Test } from 'tap';
import { freePort } from '../../test/daemon.js';
import { NoopHost, testSettings } from '../../test/doubles.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

/** A started health_check on 127.0.0.1 with `extra` config, stopped when `t` ends. */
async function started(t: Test, extra: Record<string, unknown> = {}): Promise<{ host: NoopHost; url: string }> {
  const host = new NoopHost();
  const port = await freePort();
  const ext = factory.create(testSettings('health_check'), factory.configSchema.parse({ endpoint: `127.0.0.1:${port}`, ...extra }));
  await ext.start(host);
  t.teardown(() => ext.shutdown(Date.now() + 1000));
  return { host, url: `http://127.0.0.1:${port}` };
}

t.test('200 with otelcol\'s body while the service is ready', async (t) => {
  const { url } = await started(t);
  const res = await fetch(`${url}/`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/json');
  const body = await res.json() as Record<string, string>;
  t.equal(body.status, 'Server available');
  t.match(body.upSince, /^\d{4}-\d\d-\d\dT/);
  t.match(body.uptime, /^\d+\.\d{3}s$/);
  t.equal((await fetch(`${url}/?verbose=1`)).status, 200, 'a query string is ignored');
  t.equal((await fetch(`${url}/`, { method: 'POST' })).status, 200, 'any method');
});

t.test('503 with the reasons while not ready', async (t) => {
  const { host, url } = await started(t);
  host.state = 'draining';
  host.notReadyReasons = () => ['service is draining', 'redis localhost:6379 unreachable'];
  const res = await fetch(url);
  t.equal(res.status, 503);
  t.equal(res.headers.get('content-type'), 'application/json');
  t.same(await res.json(), { status: 'Server not available', reasons: ['service is draining', 'redis localhost:6379 unreachable'] });
});

t.test('the configured path; anything else is an empty 404', async (t) => {
  const { url } = await started(t, { path: '/health/status', check_collector_pipeline: { enabled: false } });
  t.equal((await fetch(`${url}/health/status`)).status, 200);
  for (const other of ['/', '/health', '/health/status/x', '/metrics']) {
    const res = await fetch(`${url}${other}`);
    t.equal(res.status, 404, other);
    t.equal(await res.text(), '', `${other}: no body`);
  }
});

t.test('a taken endpoint fails the start, naming the extension and the endpoint', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const ext = factory.create(testSettings('health_check/probe'), factory.configSchema.parse({ endpoint: `127.0.0.1:${port}` }));
  await t.rejects(ext.start(new NoopHost()), { message: `extension health_check/probe: cannot listen on 127.0.0.1:${port}: address already in use (another process, or another component, listens there)` });
  await ext.shutdown(Date.now());
});
