import t from 'tap';
import { configSchema } from '../config.js';
import { loadRules } from '../load-rules.js';
import { HeldHistory, historyNeededMs } from './history.js';

const groups = (...exprs: string[]) => loadRules(configSchema.parse({
  groups: [{ name: 'g', rules: exprs.map((expr, i) => ({ alert: `A${i}`, expr })) }],
}));

t.test('the history rules read: the longest range plus offset, plus the 5m lookback, at most the retention', async (t) => {
  t.equal(historyNeededMs(groups('up > 1'), 3_600_000), 300_000, 'an instant selector: the lookback');
  t.equal(historyNeededMs(groups('up > 1', 'rate(x[10m]) > 0'), 3_600_000), 900_000, 'a range');
  t.equal(historyNeededMs(groups('sum by (job) (rate(x[2m] offset 3m)) > avg_over_time(y[1m])'), 3_600_000), 600_000, 'range plus offset, inside aggregations and binaries');
  t.equal(historyNeededMs(groups('rate(x[2h]) > 0'), 3_600_000), 3_600_000, 'capped by the retention');
});

t.test('held records are released in delivery order, once all their samples are older than the cut', async (t) => {
  const released: number[] = [];
  const history = new HeldHistory();
  for (const [i, newest] of [100, 200, 150, 300].entries()) history.add(newest, { release: () => released.push(i) });
  history.releaseBefore(180);
  t.same(released, [0], 'the second record is still needed, so the third waits behind it');
  history.releaseBefore(250);
  t.same(released, [0, 1, 2]);
  t.equal(history.size, 1);
  history.releaseAll();
  t.same(released, [0, 1, 2, 3]);
});

t.test('at most `max` records held: the oldest go first', async (t) => {
  const released: number[] = [];
  const history = new HeldHistory(2);
  for (const i of [0, 1, 2, 3]) history.add(i, { release: () => released.push(i) });
  t.same(released, [0, 1]);
  t.equal(history.overflowed, 2);
  t.equal(history.size, 2);
});
