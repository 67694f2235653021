/** The HTTP host: logs through the given pino logger (requests at debug), validates route input, closes by the deadline. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { HttpHost, ListenError } from './http-host.js';

/** A pino logger at `level` whose records land in `lines`. */
function capture(level: string): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>); done(); } });
  return { logger: pino({ level }, sink).child({ kind: 'extension', id: 'query_api' }), lines };
}

/** A host on 127.0.0.1:0 with GET /hello, started; closed when `t` ends. */
async function hello(t: Test, logger: pino.Logger): Promise<string> {
  const host = new HttpHost({ component: 'extension query_api', endpoint: '127.0.0.1:0', logger });
  host.app.get('/hello', async () => ({ hello: 'world' }));
  const address = await host.start();
  t.teardown(() => host.close(Date.now() + 1000));
  return `http://${address}`;
}

t.test('listens on port 0 and logs through a child of the component\'s logger; requests only at debug', async (t) => {
  for (const level of ['info', 'debug']) {
    const { logger, lines } = capture(level);
    const url = await hello(t, logger);
    t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the bound address, with the real port');
    const res = await fetch(`${url}/hello`);
    t.same(await res.json(), { hello: 'world' });
    await fetch(`${url}/nowhere`);
    const listening = lines.find((l) => /listening at/.test(String(l.msg)));
    t.match(listening, { level: 30, kind: 'extension', id: 'query_api', endpoint: '127.0.0.1:0', msg: `extension query_api listening at ${url}` });
    const requests = lines.filter((l) => /request|not found/.test(String(l.msg)));
    if (level === 'info') t.same(requests, [], 'normal traffic is quiet at info');
    else {
      t.match(requests.map((l) => [l.level, l.msg]), [[20, 'incoming request'], [20, 'request completed'], [20, 'incoming request'], [20, 'route not found'], [20, 'request completed']]);
      t.match(requests[1], { kind: 'extension', id: 'query_api', res: { statusCode: 200 } }, 'with the component\'s bindings');
    }
  }
});

t.test('routes that take input validate it against their schema: 400 with the reason', async (t) => {
  const host = new HttpHost({ component: 'extension query_api', endpoint: '127.0.0.1:0', logger: pino({ level: 'silent' }) });
  host.app.get<{ Querystring: { limit: number } }>('/traces', {
    schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } }, required: ['limit'], additionalProperties: false } },
  }, async (req) => ({ limit: req.query.limit }));
  const url = `http://${await host.start()}`;
  t.teardown(() => host.close(Date.now()));
  t.same(await (await fetch(`${url}/traces?limit=10`)).json(), { limit: 10 }, 'coerced to the schema\'s type');
  for (const bad of ['', '?limit=0', '?limit=ten']) {
    const res = await fetch(`${url}/traces${bad}`);
    t.equal(res.status, 400, bad || 'missing');
    t.match(await res.json(), { statusCode: 400, code: 'FST_ERR_VALIDATION', message: /querystring/ });
  }
});

t.test('an address in use is a ListenError naming the component and the endpoint', async (t) => {
  const first = new HttpHost({ component: 'telemetry', endpoint: '127.0.0.1:0', logger: pino({ level: 'silent' }) });
  const address = await first.start();
  t.teardown(() => first.close(Date.now()));
  const second = new HttpHost({ component: 'extension health_check', endpoint: address, logger: pino({ level: 'silent' }) });
  const err = await second.start().then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof ListenError);
  t.match(err, { component: 'extension health_check', endpoint: address, code: 'EADDRINUSE', message: `extension health_check: cannot listen on ${address}: address already in use (another process, or another component, listens there)` });
  await second.close(Date.now()); // never started: nothing to do
});

t.test('close lets a request in flight finish before the deadline, and drops one that outlasts it', async (t) => {
  const host = new HttpHost({ component: 'telemetry', endpoint: '127.0.0.1:0', logger: pino({ level: 'silent' }) });
  host.app.get('/slow', async () => { await new Promise((r) => setTimeout(r, 300)); return 'done'; });
  host.app.get('/stuck', () => new Promise(() => {}));
  const url = `http://${await host.start()}`;
  const slow = fetch(`${url}/slow`).then((r) => r.text());
  const stuck = fetch(`${url}/stuck`).then(() => 'answered', () => 'dropped');
  await new Promise((r) => setTimeout(r, 50));
  const closing = Date.now();
  await host.close(Date.now() + 1000);
  const took = Date.now() - closing;
  t.equal(await slow, 'done', 'the slow request was answered');
  t.equal(await stuck, 'dropped', 'the stuck one was dropped at the deadline');
  t.ok(took >= 900 && took < 4_000, `close took ${took} ms: about the deadline`);
  t.equal(await fetch(`${url}/slow`).then(() => 'answered', () => 'refused'), 'refused', 'no longer listening');
});
