/** Grouping as pure functions: group labels and keys, and what a flush sends (Alertmanager's rules), checked on random histories. */
import fc from 'fast-check';
import t from 'tap';
import type { Alert } from '../../exporters/notify-common/index.js';
import { configSchema } from './config.js';
import { groupKeyOf, groupLabelsOf, newGroup, planFlush, type GroupMeta } from './group.js';
import { compileRoute, type Grouping, type Route } from './route.js';

const tree = compileRoute(configSchema.parse({
  route: {
    receiver: 'email',
    routes: [
      { matchers: ['team="db"'], receiver: 'webhook', group_by: ['service_name'], group_wait: '10s', routes: [{ matchers: ['severity="critical"'], receiver: 'pagerduty' }] },
      { matchers: ['team="web"'], receiver: 'slack', group_by: ['...'] },
      { matchers: ['team="web"'], receiver: 'slack' },
    ],
  },
}).route!);

const alert = (fp: string, state: 'firing' | 'resolved', labels: Record<string, string> = {}): Alert => ({
  alertname: 'A', state, severity: 'warning', fingerprint: fp, labels: { alertname: 'A', ...labels }, annotations: {},
  startsAtMs: 0, traceIds: [], timeUnixNano: 0n, ...(state === 'resolved' ? { endsAtMs: 1 } : {}),
});

t.test('grouping is inherited; the root without keys does not group; route keys are unique', async (t) => {
  t.equal(tree.grouping, undefined, 'no keys at the root: each alert at once, as before');
  const db = tree.routes[0]!;
  t.same(db.grouping, { by: ['service_name'], waitMs: 10_000, intervalMs: 300_000, repeatMs: 14_400_000 }, 'Alertmanager defaults for the rest');
  t.same(db.routes[0]!.grouping, db.grouping, 'inherited by the child');
  t.equal(db.routes[0]!.key, '{}/{team="db"}/{severity="critical"}');
  t.same(tree.routes[1]!.grouping?.by, 'all');
  t.not(tree.routes[1]!.key, tree.routes[2]!.key, 'twin siblings get distinct keys');
});

t.test('group labels and the group key', async (t) => {
  const g: Grouping = { by: ['service_name', 'region'], waitMs: 0, intervalMs: 1, repeatMs: 1 };
  t.same(groupLabelsOf(g, { service_name: 'checkout', alertname: 'A' }), { service_name: 'checkout' }, 'absent labels are left out');
  t.same(groupLabelsOf({ ...g, by: 'all' }, { b: '2', a: '1' }), { b: '2', a: '1' });
  t.equal(groupKeyOf(tree.routes[0]!, { service_name: 'checkout', a: 'x' }), '{}/{team="db"}:{a="x",service_name="checkout"}');
});

const route = tree.routes[0]! as Route & { grouping: Grouping };
const meta0 = (): GroupMeta => newGroup(route, { service_name: 's' }, 0);

t.test('a flush: first notification, no change, a change, repeat, resolve', async (t) => {
  let meta = meta0();
  t.equal(meta.nextFlushAt, 10_000, 'group_wait');
  let plan = planFlush(meta, [alert('a', 'firing'), alert('b', 'firing')], new Set(), 10_000);
  t.same(plan.send?.alerts.map((a) => a.fingerprint), ['a', 'b']);
  meta = plan.meta;
  t.equal(meta.nextFlushAt, 310_000, 'then every group_interval');
  plan = planFlush(meta, [alert('a', 'firing'), alert('b', 'firing')], new Set(), 310_000);
  t.equal(plan.send, undefined, 'unchanged: nothing');
  plan = planFlush(meta, [alert('a', 'firing'), alert('b', 'firing')], new Set(), 10_000 + 14_400_000);
  t.same(plan.send?.status, 'firing', 'repeat_interval passed: sent again');
  plan = planFlush(meta, [alert('a', 'firing'), alert('b', 'resolved')], new Set(), 320_000);
  t.same(plan.send?.alerts.map((a) => `${a.fingerprint}:${a.state}`), ['a:firing', 'b:resolved'], 'a resolve is news');
  t.same(plan.remove, ['b']);
  t.notOk(plan.empty);
  plan = planFlush(plan.meta, [alert('a', 'resolved')], new Set(), 630_000);
  t.same(plan.send?.status, 'resolved');
  t.ok(plan.empty, 'nothing left: the group goes');
});

t.test('muted alerts are left out; an unmuted one is news; a muted firing has no resolve', async (t) => {
  let plan = planFlush(meta0(), [alert('a', 'firing'), alert('b', 'firing')], new Set(['b']), 10_000);
  t.same(plan.send?.alerts.map((a) => a.fingerprint), ['a']);
  plan = planFlush(plan.meta, [alert('a', 'firing'), alert('b', 'firing')], new Set(), 310_000);
  t.same(plan.send?.alerts.map((a) => a.fingerprint), ['a', 'b'], 'the silence ended: notified at the next interval');
  const all = planFlush(meta0(), [alert('a', 'firing')], new Set(['a']), 10_000);
  t.equal(all.send, undefined, 'everything muted: nothing');
  t.equal(planFlush(all.meta, [alert('a', 'resolved')], new Set(), 310_000).send, undefined, 'its resolve is not sent');
});

/** A random history of one group: fire, resolve, flush after some time. */
const step = fc.oneof(
  fc.record({ op: fc.constant('fire' as const), fp: fc.constantFrom('a', 'b', 'c', 'd') }),
  fc.record({ op: fc.constant('resolve' as const), fp: fc.constantFrom('a', 'b', 'c', 'd') }),
  fc.record({ op: fc.constant('flush' as const), after: fc.integer({ min: 0, max: 20_000_000 }), mute: fc.subarray(['a', 'b', 'c', 'd']) }),
);

t.test('property: what a flush sends follows Alertmanager\'s rules on any history', async (t) => {
  fc.assert(fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
    let meta: GroupMeta | undefined;
    const held = new Map<string, Alert>();
    let now = 0;
    const notifiedFiring = new Set<string>();
    for (const s of steps) {
      if (s.op === 'fire') {
        meta ??= newGroup(route, {}, now);
        held.set(s.fp, alert(s.fp, 'firing'));
      } else if (s.op === 'resolve') {
        if (meta) held.set(s.fp, alert(s.fp, 'resolved'));
      } else if (meta) {
        now = Math.max(now + s.after, meta.nextFlushAt);
        const muted = new Set(s.mute);
        const firingNow = [...held.values()].filter((a) => a.state === 'firing' && !muted.has(a.fingerprint)).map((a) => a.fingerprint);
        const plan = planFlush(meta, [...held.values()], muted, now);
        const sent = plan.send?.alerts ?? [];
        if (new Set(sent.map((a) => a.fingerprint)).size !== sent.length) return false; // each alert once
        if (firingNow.some((fp) => !notifiedFiring.has(fp)) && !plan.send) return false; // a new firing alert is always news
        if (plan.send && sent.filter((a) => a.state === 'firing').map((a) => a.fingerprint).join() !== firingNow.sort().join()) return false;
        for (const a of sent) {
          if (a.state === 'resolved' && !notifiedFiring.delete(a.fingerprint)) return false; // a resolve only after its firing, once
          if (a.state === 'firing') notifiedFiring.add(a.fingerprint);
        }
        if (plan.send && plan.send.status !== (firingNow.length > 0 ? 'firing' : 'resolved')) return false;
        for (const fp of plan.remove) {
          held.delete(fp);
          notifiedFiring.delete(fp); // a resolve that was not sent ends the episode too
        }
        if (plan.meta.nextFlushAt !== now + meta.intervalMs) return false;
        meta = plan.empty ? undefined : plan.meta;
      }
    }
    return true;
  }), { numRuns: 500 });
  t.pass('500 histories');
});
