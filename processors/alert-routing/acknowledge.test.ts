/** Acknowledgements: a silence that starts muting a notified firing emits one `vigil.alert.acknowledged` record. */
import t, { type Test } from 'tap';
import { buildAlerts, readAcks, readAlerts, type AlertInput } from '../../exporters/notify-common/index.js';
import type { Payload } from '../../pdata/payload.js';
import { MemoryStore } from '../../pipeline/state/memory-store.js';
import { scoped } from '../../pipeline/state/scope.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { waitFor } from '../../test/wait.js';
import { Acknowledger } from './acknowledge.js';
import { Decider } from './decide.js';
import { factory } from './factory.js';
import { compileRoute } from './route.js';
import { SilenceBook } from './silences.js';

await factory.load?.();

const START = Date.parse('2026-11-26T10:00:00Z');
const HOUR = 3_600_000;
const alert = (name: string, service: string, state: 'firing' | 'resolved' = 'firing'): AlertInput => ({
  alertname: name, state, severity: 'critical', labels: { service_name: service }, startsAt: START,
  ...(state === 'resolved' ? { endsAt: START + 60_000 } : {}),
});
const silenceOf = (service: string, startsAt: number, endsAt: number) => ({
  matchers: [{ name: 'service_name', value: service, isRegex: false }],
  startsAt: new Date(startsAt).toISOString(), endsAt: new Date(endsAt).toISOString(), createdBy: 'ops@example.com', comment: 'on it',
});

/** A decider and an acknowledger on one memory store, with a settable clock and the acknowledgements emitted. */
function setup(t: Test) {
  let now = Date.now();
  const store = new MemoryStore();
  const silences = new SilenceBook(store, HOUR, () => now);
  const root = compileRoute(factory.configSchema.parse({ route: { receiver: 'email', routes: [{ matchers: ['severity="critical"'], receiver: 'pagerduty' }] } }).route!);
  const logger = testSettings('alert_routing').logger;
  const decider = new Decider({ root, inhibitRules: [], store, silences, decisionTtlMs: HOUR, logger });
  const emitted: Payload[] = [];
  const acks = new Acknowledger({ store, silences, emit: async (p) => { emitted.push(p); }, logger, episodeTtlMs: HOUR, now: () => now });
  t.teardown(() => acks.stop());
  const route = async (...inputs: AlertInput[]) => {
    const alerts = readAlerts(buildAlerts(inputs)!).alerts;
    const decisions = await decider.decide(alerts);
    await acks.record(alerts, decisions);
    return decisions;
  };
  const acked = () => emitted.flatMap((p) => readAcks(p).acks);
  return { silences, route, acks, acked, setNow: (ms: number) => { now = ms; }, now: () => now };
}

t.test('a silence after a notified firing: one acknowledgement naming the firing\'s receiver, once', async (t) => {
  const { silences, route, acks, acked, now } = setup(t);
  t.same((await route(alert('Down', 'checkout')))[0], { receivers: ['pagerduty'] });
  await acks.sweep();
  t.same(acked(), [], 'nothing while no silence mutes it');
  const id = await silences.upsert(silenceOf('checkout', now(), now() + HOUR));
  await acks.sweep();
  await acks.sweep();
  const [ack, ...more] = acked();
  t.same(more, [], 'one acknowledgement per episode');
  t.same(ack!.alert.receivers, ['pagerduty'], 'for the receivers of the firing');
  t.equal(ack!.alert.alertname, 'Down');
  t.equal(ack!.alert.state, 'firing');
  t.equal(ack!.alert.startsAtMs, START, 'the same episode');
  t.equal(ack!.alert.fingerprint, readAlerts(buildAlerts([alert('Down', 'checkout')])!).alerts[0]!.fingerprint, 'the same fingerprint');
  t.same(ack!.silenceIds, [id]);
  t.equal(ack!.createdBy, 'ops@example.com');
  t.same((await route(alert('Down', 'checkout', 'resolved')))[0], { receivers: ['pagerduty'] }, 'the resolve still goes to PagerDuty');
});

t.test('a silence before the firing: the firing is muted and never acknowledged', async (t) => {
  const { silences, route, acks, acked, now } = setup(t);
  await silences.upsert(silenceOf('cart', now(), now() + HOUR));
  t.same((await route(alert('Slow', 'cart')))[0], { receivers: [], muted: 'silenced', by: [(await silences.list())[0]!.id] });
  await acks.sweep();
  t.same(acked(), []);
});

t.test('a pending silence acknowledges when it becomes active; a resolved firing is forgotten', async (t) => {
  const { silences, route, acks, acked, now, setNow } = setup(t);
  await route(alert('Down', 'checkout'), alert('Gone', 'shop'));
  await route(alert('Gone', 'shop', 'resolved'));
  await silences.upsert(silenceOf('checkout', now() + 60_000, now() + HOUR));
  await silences.upsert(silenceOf('shop', now(), now() + HOUR));
  await acks.sweep();
  t.same(acked(), [], 'pending: not yet; resolved: forgotten');
  setNow(now() + 61_000);
  await acks.sweep();
  t.same(acked().map((a) => a.alert.alertname), ['Down']);
});

t.test('the processor: a silence stored after a notified firing reaches the next consumer as an acknowledgement', async (t) => {
  const config = factory.configSchema.parse({
    route: { receiver: 'email', routes: [{ matchers: ['severity="critical"'], receiver: 'pagerduty' }] },
    silences: { endpoint: '127.0.0.1:0' },
  });
  const next = new RecordingConsumer();
  const host = new NoopHost();
  const p = factory.create(testSettings('alert_routing'), config, 'logs', next);
  await p.start(host);
  t.teardown(() => p.shutdown(Date.now() + 1000));
  await p.consume(buildAlerts([alert('Down', 'checkout')])!);
  const book = new SilenceBook(scoped(host.store, 'routing', 'alert_routing'), HOUR);
  await book.upsert(silenceOf('checkout', Date.now(), Date.now() + HOUR));
  const ack = await waitFor('the acknowledgement', () => next.received.flatMap((x) => readAcks(x).acks)[0], 20_000);
  t.same(ack.alert.receivers, ['pagerduty']);
  t.same(readAlerts(next.received.at(-1)!).alerts, [], 'not a vigil.alert record: exporters without acknowledge skip it');
});
