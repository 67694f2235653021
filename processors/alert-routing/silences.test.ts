/** Silences: Alertmanager's v2 API over HTTP (fastify inject), validation, expiry, and persistence in Redis across a "restart". */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import t from 'tap';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { RedisStore } from '../../pipeline/state/redis-store.js';
import { scoped } from '../../pipeline/state/scope.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { redisAvailable, REDIS_PORT, requireService } from '../../test/services.js';
import { SilenceBook, stateOf, type Silence } from './silences.js';
import { silencesApi } from './silences-api.js';

const logger = pino({ level: process.env.VIGIL_TEST_LOG ?? 'silent' });
const HOUR = 3_600_000;

/** An API over a book whose clock the test moves. */
function api(store: StateStore = new MemoryStore()) {
  const clock = { now: Date.parse('2026-11-26T12:00:00Z') };
  const book = new SilenceBook(scoped(store, 'routing', 'alert_routing'), 2 * HOUR, () => clock.now);
  const http = silencesApi(book, '127.0.0.1:0', 'processor alert_routing', logger, () => clock.now);
  const iso = (offsetMs: number): string => new Date(clock.now + offsetMs).toISOString();
  const post = async (body: object) => http.app.inject({ method: 'POST', url: '/api/v2/silences', payload: body });
  const list = async (): Promise<Array<Silence & { status: { state: string } }>> => (await http.app.inject({ method: 'GET', url: '/api/v2/silences' })).json();
  const silence = (extra: object = {}) => ({
    matchers: [{ name: 'alertname', value: 'HighLatency', isRegex: false, isEqual: true }],
    startsAt: iso(0), endsAt: iso(HOUR), createdBy: 'alice', comment: 'deploying', ...extra,
  });
  return { clock, book, http, iso, post, list, silence };
}

t.test('create, list, get and expire a silence through the v2 API', async (t) => {
  const { clock, book, http, post, list, silence } = api();
  const created = await post(silence());
  t.equal(created.statusCode, 200);
  const { silenceID } = created.json<{ silenceID: string }>();
  t.match(silenceID, /^[0-9a-f-]{36}$/, 'a UUID, as Alertmanager\'s');
  t.match(await list(), [{ id: silenceID, status: { state: 'active' }, createdBy: 'alice', comment: 'deploying', matchers: [{ name: 'alertname', value: 'HighLatency', isRegex: false, isEqual: true }] }]);
  t.same(await book.silencing({ alertname: 'HighLatency' }), [silenceID]);
  t.same(await book.silencing({ alertname: 'Other' }), []);
  const one = await http.app.inject({ method: 'GET', url: `/api/v2/silence/${silenceID}` });
  t.equal(one.json<{ status: { state: string } }>().status.state, 'active');

  const expired = await http.app.inject({ method: 'DELETE', url: `/api/v2/silence/${silenceID}` });
  t.equal(expired.statusCode, 200);
  t.match(await list(), [{ id: silenceID, status: { state: 'expired' } }], 'still listed after expiry');
  t.same(await book.silencing({ alertname: 'HighLatency' }), [], 'mutes nothing once expired');
  t.equal((await http.app.inject({ method: 'DELETE', url: `/api/v2/silence/${silenceID}` })).statusCode, 200, 'expiring again changes nothing');
  t.equal((await http.app.inject({ method: 'DELETE', url: '/api/v2/silence/nope' })).statusCode, 404);
  clock.now += 2 * HOUR + 1;
  t.same(await list(), [], 'forgotten after the retention');
});

t.test('pending until startsAt, then active; regex and negative matchers', async (t) => {
  const { clock, book, post, iso, silence } = api();
  const res = await post(silence({ startsAt: iso(HOUR), endsAt: iso(2 * HOUR), matchers: [
    { name: 'service_name', value: 'check.*', isRegex: true }, { name: 'env', value: 'prod', isRegex: false, isEqual: false },
  ] }));
  const id = res.json<{ silenceID: string }>().silenceID;
  t.equal(stateOf(await book.get(id), clock.now), 'pending');
  t.same(await book.silencing({ service_name: 'checkout', env: 'staging' }), [], 'pending mutes nothing');
  clock.now += HOUR;
  t.same(await book.silencing({ service_name: 'checkout', env: 'staging' }), [id]);
  t.same(await book.silencing({ service_name: 'checkout', env: 'prod' }), [], 'env!="prod"');
  t.same(await book.silencing({ service_name: 'mycheckout' }), [], 'the regex is anchored');
});

t.test('updating: the same matchers update in place, new matchers replace the silence', async (t) => {
  const { post, list, silence, iso } = api();
  const id = (await post(silence())).json<{ silenceID: string }>().silenceID;
  const same = (await post(silence({ id, endsAt: iso(3 * HOUR), comment: 'longer' }))).json<{ silenceID: string }>().silenceID;
  t.equal(same, id, 'updated in place');
  t.match(await list(), [{ id, comment: 'longer', status: { state: 'active' } }]);
  const other = (await post(silence({ id, matchers: [{ name: 'alertname', value: 'Other', isRegex: false }] }))).json<{ silenceID: string }>().silenceID;
  t.not(other, id, 'a new silence');
  t.match((await list()).map((s) => [s.id, s.status.state]), [[id, 'expired'], [other, 'active']]);
  t.equal((await post(silence({ id: 'unknown' }))).statusCode, 404);
});

t.test('refused as Alertmanager refuses them, with a reason', async (t) => {
  const { post, http, silence, iso } = api();
  const refused = async (body: object, why: RegExp) => {
    const res = await post(body);
    t.equal(res.statusCode, 400, String(why));
    t.match(res.body, why);
  };
  await refused(silence({ matchers: [] }), /at least one matcher/);
  await refused(silence({ matchers: [{ name: 'a', value: '.*', isRegex: true }] }), /must not match the empty string/);
  await refused(silence({ matchers: [{ name: 'a', value: '(', isRegex: true }] }), /invalid regular expression/);
  await refused(silence({ endsAt: iso(-1000), startsAt: iso(-2000) }), /in the past/);
  await refused(silence({ endsAt: iso(0), startsAt: iso(HOUR) }), /before startsAt/);
  await refused(silence({ startsAt: 'soon' }), /RFC 3339/);
  await refused(silence({ createdBy: ' ' }), /createdBy/);
  await refused({ matchers: [] }, /required property/);
  t.equal((await http.app.inject({ method: 'GET', url: '/api/v2/silences?filter=a%3D%22b%22' })).statusCode, 400, 'filter is refused, not ignored');
});

t.test('persisted in Redis: a new process (a new book on a new client) sees the silences', async (t) => {
  if (!requireService(t, 'Redis', await redisAvailable())) return;
  const keyPrefix = `vigil-test-routing-${randomUUID().slice(0, 8)}`;
  const open = async (): Promise<RedisStore> => {
    const store = new RedisStore({ endpoint: `127.0.0.1:${REDIS_PORT}`, db: 0, keyPrefix, maxBackoffMs: 200, commandTimeoutMs: 2000 }, logger);
    await store.start();
    return store;
  };
  const first = await open();
  const a = api(first);
  const id = (await a.post(a.silence())).json<{ silenceID: string }>().silenceID;
  await first.close();
  const second = await open();
  t.teardown(() => second.close());
  const b = api(second);
  t.same(await b.book.silencing({ alertname: 'HighLatency' }), [id], 'the silence survived the restart');
  await b.book.expire(id);
  t.same(await api(second).book.silencing({ alertname: 'HighLatency' }), [], 'and its expiry too');
  await second.batch([{ op: 'delete', key: 'routing:alert_routing:silences' }]);
});
