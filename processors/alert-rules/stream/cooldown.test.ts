/** The cooldown gate: no re-notification of an alert within its cooldown, held firings released, checkpointed. */
import t from 'tap';
import { CooldownGate } from './cooldown.js';
import type { AlertEvent } from './evaluator.js';

const MIN = 60_000;
const labels = { alertname: 'SlowP95', job: 'shop', severity: 'medium' };

function event(state: 'firing' | 'resolved', at: number, startsAt: number, more: Partial<AlertEvent> = {}): AlertEvent {
  return { group: 'g', rule: 'SlowP95', state, labels, annotations: {}, value: 1200, startsAtMs: startsAt, endsAtMs: state === 'resolved' ? at : undefined, atMs: at, ...more };
}
const show = (events: readonly AlertEvent[]): string[] => events.map((e) => `${e.state} ${e.atMs / MIN}m start ${e.startsAtMs / MIN}m`);

t.test('a firing within the cooldown that resolves again is never heard of; one after it is', async (t) => {
  const gate = new CooldownGate(() => 5 * MIN);
  t.same(show(gate.pass([event('firing', 0, 0)], 0)), ['firing 0m start 0m'], 'the first firing goes out');
  t.same(show(gate.pass([event('resolved', 1 * MIN, 0)], 1 * MIN)), ['resolved 1m start 0m'], 'its resolve goes out');
  t.same(show(gate.pass([event('firing', 2 * MIN, 2 * MIN)], 2 * MIN)), [], 'firing again 2m later: held');
  t.same(show(gate.pass([event('resolved', 3 * MIN, 2 * MIN)], 3 * MIN)), [], 'and its resolve with it');
  t.same(show(gate.pass([], 6 * MIN)), [], 'nothing left to release');
  t.same(show(gate.pass([event('firing', 7 * MIN, 7 * MIN)], 7 * MIN)), ['firing 7m start 7m'], 'past the cooldown: notified');
  t.equal(gate.heldCount, 1);
});

t.test('a held firing still firing when the cooldown ends goes out then, once', async (t) => {
  const gate = new CooldownGate(() => 5 * MIN);
  gate.pass([event('firing', 0, 0)], 0);
  gate.pass([event('resolved', 1 * MIN, 0)], 1 * MIN);
  t.same(show(gate.pass([event('firing', 2 * MIN, 2 * MIN)], 2 * MIN)), []);
  t.same(show(gate.pass([], 4 * MIN)), [], 'still within the cooldown');
  t.same(show(gate.pass([], 5 * MIN)), ['firing 5m start 2m'], 'released when it ends, with its own start');
  t.same(show(gate.pass([], 6 * MIN)), [], 'once');
  t.same(show(gate.pass([event('resolved', 7 * MIN, 2 * MIN)], 7 * MIN)), ['resolved 7m start 2m'], 'its resolve follows');
});

t.test('cooldowns are per alert: other labels and rules without a cooldown pass', async (t) => {
  const gate = new CooldownGate((e) => (e.rule === 'SlowP95' ? 5 * MIN : 0));
  gate.pass([event('firing', 0, 0), event('resolved', MIN, 0)], MIN);
  const other = event('firing', 2 * MIN, 2 * MIN, { labels: { ...labels, job: 'cart' } });
  const noCooldown = event('firing', 2 * MIN, 2 * MIN, { rule: 'Errors' });
  t.same(gate.pass([other, noCooldown, event('firing', 2 * MIN, 2 * MIN)], 2 * MIN).map((e) => `${e.rule} ${e.labels.job}`), ['SlowP95 cart', 'Errors shop']);
});

t.test('the state survives a checkpoint: a restarted gate does not re-page within the cooldown', async (t) => {
  const gate = new CooldownGate(() => 5 * MIN);
  gate.pass([event('firing', 0, 0), event('resolved', MIN, 0), event('firing', 2 * MIN, 2 * MIN)], 2 * MIN);
  const next = new CooldownGate(() => 5 * MIN);
  next.restore(gate.save());
  t.same(show(next.pass([event('firing', 3 * MIN, 3 * MIN, { labels: { ...labels } })], 3 * MIN)), [], 'still within the cooldown after the restart');
  t.same(show(next.pass([], 5 * MIN)), ['firing 5m start 3m'], 'the held firing comes out when the cooldown ends');
});
