/** `rule_files` globs, as Prometheus reads them, plus inline groups; a pattern matching nothing is an error. */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { configSchema } from './config.js';
import { loadRules } from './load-rules.js';

const UNIT = fileURLToPath(new URL('../../../processors/alert-rules/testdata/unit/', import.meta.url));

t.test('a glob loads every matching file, in name order, and inline groups after them', async (t) => {
  const groups = loadRules(configSchema.parse({
    rule_files: [`${UNIT}rules-[m-z]*.yml`],
    groups: [{ name: 'inline', rules: [{ alert: 'Up', expr: 'up == 0' }] }],
  }));
  t.same([...new Set(groups.map((g) => g.file.replace(UNIT, '')))], ['rules-multi.yml', 'rules-order.yml', 'rules-state.yml', 'groups']);
  t.equal(groups.at(-1)?.name, 'inline');
  t.ok(groups.length >= 3);
});

t.test('a pattern that matches no file is refused', async (t) => {
  t.throws(() => loadRules(configSchema.parse({ rule_files: [`${UNIT}nothing-*.yml`] })), /nothing-\*\.yml.*no rule file matches this pattern/s);
});
