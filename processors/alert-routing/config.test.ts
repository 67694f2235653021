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

t.test('grouping keys are refused, never accepted and ignored; bad matchers are pointed at', async (t) => {
  t.same(await errorsOf('refused.yaml'), [
    'refused.yaml:7:17 processors::alert_routing::route::group_by: grouping is not supported yet: vigil notifies every alert on its own, as Alertmanager does with group_by: [\'...\']; remove group_by',
    'refused.yaml:8:19 processors::alert_routing::route::group_wait: grouping is not supported yet: an alert is notified as soon as it fires; remove group_wait',
    'refused.yaml:10:22 processors::alert_routing::route::routes::0::matchers::0: unknown operator in "severity==\\"critical\\""; use =, !=, =~ or !~',
    'refused.yaml:12:22 processors::alert_routing::route::routes::1::matchers::0: invalid regular expression "(db": Invalid regular expression: /^(?:(db)$/s: Unterminated group',
    'refused.yaml:14:28 processors::alert_routing::route::routes::1::repeat_interval: repeat notifications are not supported yet: each firing and each resolve is notified once; remove repeat_interval',
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
