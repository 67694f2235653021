/** One test per validation rule, reading the YAML files of testdata/ the way `vigil validate` does. */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkConfig } from '../../cmd/validate.js';
import { FACTORIES } from '../../cmd/components.js';
import { configSchema } from './config.js';

const file = (name: string): string => fileURLToPath(new URL(`../../../processors/alert-routing/testdata/${name}`, import.meta.url));
const errorsOf = async (name: string): Promise<string[]> =>
  (await checkConfig({ files: [file(name)], sets: [], factories: FACTORIES, env: {} })).errors.map(String).map((e) => e.slice(e.indexOf('testdata/') + 9));

t.test('an alertmanager.yml-style route tree, inhibit rules and silences validate', async (t) => {
  t.same(await errorsOf('alertmanager-style.yaml'), []);
});

t.test('time intervals are refused, never accepted and ignored; bad grouping keys and matchers are pointed at', async (t) => {
  t.same(await errorsOf('refused.yaml'), [
    'refused.yaml:7:17 processors::alert_routing::route::group_by: \'...\' (every label) must be group_by\'s only entry',
    'refused.yaml:8:23 processors::alert_routing::route::group_interval: group_interval must be more than 0',
    'refused.yaml:10:22 processors::alert_routing::route::routes::0::matchers::0: unknown operator in "severity==\\"critical\\""; use =, !=, =~ or !~',
    'refused.yaml:12:22 processors::alert_routing::route::routes::1::matchers::0: invalid regular expression "(db": Invalid regular expression: /^(?:(db)$/s: Unterminated group',
    'refused.yaml:14:32 processors::alert_routing::route::routes::1::mute_time_intervals: time intervals are not supported yet; use a silence (POST /api/v2/silences) instead',
  ]);
});

t.test('grouping keys validate, on any route, inherited', async (t) => {
  t.same(await errorsOf('grouping.yaml'), []);
});

t.test('an exporter that cannot render a group is refused on a grouped route', async (t) => {
  t.same(await errorsOf('grouping-unsupported.yaml'), [
    'grouping-unsupported.yaml:10:21 processors::alert_routing::route::routes::0::receiver: receiver "alertmanager" is on a grouped route (group_by, group_wait, group_interval or repeat_interval here or above), but the alertmanager exporter does not render grouped notifications yet (only webhook, slack, pagerduty, email do); route it from a branch without grouping keys',
  ]);
});

t.test('a receiver that is not an exporter of the pipeline is an error at its key', async (t) => {
  const errors = await errorsOf('unknown-receiver.yaml');
  t.equal(errors.length, 1);
  t.match(errors[0], /^unknown-receiver\.yaml:9:21 processors::alert_routing::route::routes::0::receiver: receiver "pagerdutty" is not an exporter of pipeline "logs" .*did you mean "pagerduty"/);
});

t.test('the root route: a receiver, no matchers, no continue', async (t) => {
  const issues = (route: unknown): string[] => {
    const r = configSchema.safeParse({ route });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('::')}: ${i.message}`);
  };
  t.match(issues({}), ['route::receiver: the root route needs a receiver']);
  t.match(issues({ receiver: 'x', matchers: ['a="b"'] }), ['route::matchers: the root route must not have matchers']);
  t.match(issues({ receiver: 'x', continue: true }), ['route::continue: the root route cannot have continue']);
  t.match(issues(undefined), ['route: a route tree is required']);
  t.same(issues({ receiver: 'x', match: { a: 'b' } }).length, 1, 'Alertmanager\'s deprecated match is an unknown key');
});
