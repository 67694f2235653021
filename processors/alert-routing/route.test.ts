/** The route tree as Alertmanager walks it: matchers, first match wins, `continue`, inherited receivers. */
import t from 'tap';
import { configSchema } from './config.js';
import { formatMatcher, matches, parseMatcher } from './matchers.js';
import { compileRoute, receiversFor } from './route.js';

/** The tree of alertmanager.yml's documented example, with exporter ids as receivers. */
const tree = compileRoute(configSchema.parse({
  route: {
    receiver: 'email/default',
    routes: [
      { matchers: ['severity="critical"'], receiver: 'pagerduty', continue: true },
      { matchers: ['service=~"foo1|foo2|baz"'], receiver: 'slack/team-x', routes: [{ matchers: ['severity="critical"'], receiver: 'email/team-x-pager' }] },
      { matchers: ['service="files"'], receiver: 'slack/team-y', routes: [{ matchers: ['severity="warning"'] }] },
      { matchers: ['team="db"'], routes: [{ matchers: ['alertname!~"Disk.*"'], receiver: 'webhook/db' }] },
    ],
  },
}).route!);

t.test('matchers in Alertmanager\'s string form', async (t) => {
  const labels = { severity: 'critical', service: 'foo1' };
  t.ok(matches(parseMatcher('severity="critical"'), labels));
  t.notOk(matches(parseMatcher('severity!="critical"'), labels));
  t.ok(matches(parseMatcher('service=~"foo.*"'), labels));
  t.notOk(matches(parseMatcher('service=~"foo"'), labels), 'a regex matches the whole value (anchored)');
  t.ok(matches(parseMatcher('service!~"bar|baz"'), labels));
  t.ok(matches(parseMatcher('team=""'), labels), 'an absent label is the empty string');
  t.ok(matches(parseMatcher('severity = critical'), labels), 'an unquoted value, spaces around the operator');
  t.ok(matches(parseMatcher('"service"="foo1"'), labels), 'a quoted name');
  t.equal(formatMatcher(parseMatcher('a=~"x\\"y"')), 'a=~"x\\"y"', 'escapes survive');
  t.throws(() => parseMatcher('severity'), /expected a matcher/);
  t.throws(() => parseMatcher('a=~"(x"'), /invalid regular expression/);
});

t.test('no sub-route matches: the root takes the alert', async (t) => {
  t.same(receiversFor(tree, { alertname: 'X', severity: 'info', service: 'other' }), ['email/default']);
});

t.test('the first matching sub-route takes it and the later ones are not tried', async (t) => {
  t.same(receiversFor(tree, { severity: 'warning', service: 'foo1', team: 'db' }), ['slack/team-x'], 'team="db" is not reached');
});

t.test('continue: true lets the next sub-routes match too', async (t) => {
  t.same(receiversFor(tree, { severity: 'critical', service: 'files' }), ['pagerduty', 'slack/team-y']);
});

t.test('depth first: the deepest matching route decides', async (t) => {
  t.same(receiversFor(tree, { severity: 'critical', service: 'baz' }), ['pagerduty', 'email/team-x-pager']);
  t.same(receiversFor(tree, { severity: 'error', service: 'baz' }), ['slack/team-x'], 'no child matched: the node itself');
});

t.test('a route without a receiver inherits its parent\'s, at any depth', async (t) => {
  t.same(receiversFor(tree, { severity: 'warning', service: 'files' }), ['slack/team-y'], 'the child inherits slack/team-y');
  t.same(receiversFor(tree, { alertname: 'DiskFull', team: 'db' }), ['email/default'], 'team=db has none: the root\'s');
  t.same(receiversFor(tree, { alertname: 'Slow', team: 'db' }), ['webhook/db']);
});

t.test('a receiver reached by two routes is notified once', async (t) => {
  const twice = compileRoute(configSchema.parse({ route: { receiver: 'slack', routes: [
    { matchers: ['a="1"'], receiver: 'pagerduty', continue: true },
    { matchers: ['b="2"'], receiver: 'pagerduty' },
  ] } }).route!);
  t.same(receiversFor(twice, { a: '1', b: '2' }), ['pagerduty']);
});
