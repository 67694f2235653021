/** every(): periodic housekeeping on a partition clock. */
import t from 'tap';
import { PartitionClock } from '../../pipeline/event-time/clock.js';
import { every } from './periodic.js';

t.test('runs again and again, never two runs at once, and keeps going after a failing run', async (t) => {
  const errors: unknown[] = [];
  const clock = new PartitionClock({}, (err) => errors.push(err));
  t.teardown(() => clock.stop());
  let runs = 0;
  let running = false;
  let overlapped = false;
  const timer = every(clock, 5, async () => {
    if (running) overlapped = true;
    running = true;
    runs++;
    await new Promise((r) => setTimeout(r, 15)); // longer than the interval
    running = false;
    if (runs === 2) throw new Error('a failing checkpoint');
  });
  while (runs < 5) await new Promise((r) => setTimeout(r, 5));
  timer.cancel();
  t.notOk(overlapped, 'runs never overlap');
  t.equal(errors.length, 1, 'the failing run was reported, and the runs went on');
});

t.test('cancel during a run: no run after it', async (t) => {
  const clock = new PartitionClock();
  t.teardown(() => clock.stop());
  let runs = 0;
  let release: () => void = () => {};
  const timer = every(clock, 5, () => { runs++; return new Promise<void>((r) => { release = r; }); });
  while (runs < 1) await new Promise((r) => setTimeout(r, 5));
  timer.cancel();
  release();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(runs, 1, 'one run, none after the cancel');
});
