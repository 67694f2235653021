import t from 'tap';
import { PartitionClock } from './clock.js';
import { TimerHeap } from './timer-heap.js';

/** A clock driven by hand: no ticker, a settable wall clock. */
function manual(options: { allowedLatenessMs?: number; idleTimeoutMs?: number } = {}): { clock: PartitionClock; wall: { now: number } } {
  const wall = { now: 1_000_000 };
  return { clock: new PartitionClock({ ...options, tickMs: 0, now: () => wall.now }), wall };
}

t.test('the watermark trails the latest event time by the allowed lateness and never goes back', async (t) => {
  const { clock } = manual({ allowedLatenessMs: 100 });
  t.equal(clock.watermark(), Number.NEGATIVE_INFINITY);
  await clock.observe(5_000);
  t.equal(clock.watermark(), 4_900);
  await clock.observe(3_000); // late and out of order: the watermark stays
  t.equal(clock.watermark(), 4_900);
  t.ok(clock.isLate(4_000));
  t.notOk(clock.isLate(4_950));
  await clock.observe(undefined);
  t.equal(clock.watermark(), 4_900);
});

t.test('event-time timers fire in time order once the watermark passes them, before observe resolves', async (t) => {
  const { clock } = manual();
  const fired: string[] = [];
  clock.at(2_000, () => void fired.push('b'));
  clock.at(1_000, async () => { await new Promise((r) => setTimeout(r, 5)); fired.push('a'); });
  clock.at(2_000, () => void fired.push('c')); // same time: scheduling order
  const cancelled = clock.at(1_500, () => void fired.push('never'));
  cancelled.cancel();
  clock.at(9_000, () => void fired.push('later'));
  await clock.observe(2_500);
  t.same(fired, ['a', 'b', 'c']);
  await clock.observe(8_999);
  t.same(fired, ['a', 'b', 'c']);
  await clock.observe(9_000);
  t.same(fired, ['a', 'b', 'c', 'later']);
});

t.test('a replay fires the same timers as live data, however fast it arrives', async (t) => {
  const run = async (gapMs: number): Promise<string[]> => {
    const { clock, wall } = manual({ idleTimeoutMs: 10_000 });
    const fired: string[] = [];
    for (let minute = 0; minute < 60; minute++) {
      const eventMs = 1_700_000_000_000 + minute * 60_000;
      wall.now += gapMs;
      await clock.observe(eventMs);
      clock.at(eventMs + 60_000, () => void fired.push(`window ${minute} at watermark ${clock.watermark()}`));
      await clock.tick();
    }
    return fired;
  };
  t.same(await run(1), await run(60_000 - 1), 'same windows, same watermarks');
});

t.test('an idle partition moves on with the wall clock, so the last window closes', async (t) => {
  const { clock, wall } = manual({ idleTimeoutMs: 5_000 });
  let fired = false;
  await clock.observe(100_000);
  clock.at(110_000, () => { fired = true; });
  wall.now += 4_000;
  await clock.tick();
  t.equal(clock.watermark(), 100_000, 'not idle yet');
  wall.now += 3_000;
  await clock.tick();
  t.equal(clock.watermark(), 103_000, 'idle: advanced by the wall time since the last tick');
  wall.now += 7_000;
  await clock.tick();
  t.ok(fired);
});

t.test('wall-clock timers fire after their delay; stop drops every timer', async (t) => {
  const { clock } = manual();
  const fired: string[] = [];
  clock.after(30, () => void fired.push('housekeeping'));
  clock.after(60, () => void fired.push('never: stopped first'));
  clock.at(5, () => void fired.push('never'));
  t.same(fired, []);
  await new Promise((r) => setTimeout(r, 45));
  t.same(fired, ['housekeeping']);
  await clock.stop();
  await clock.observe(10);
  await new Promise((r) => setTimeout(r, 30));
  t.same(fired, ['housekeeping']);
});

t.test('a failing timer is reported and the next ones still fire', async (t) => {
  const errors: unknown[] = [];
  const clock = new PartitionClock({ tickMs: 0 }, (err) => errors.push(err));
  const fired: number[] = [];
  clock.at(1, () => { throw new Error('boom'); });
  clock.at(2, () => void fired.push(2));
  await clock.observe(3);
  t.same(fired, [2]);
  t.equal(errors.length, 1);
});

t.test('the timer heap orders by time, then by scheduling order', async (t) => {
  const heap = new TimerHeap<number>();
  const times = [5, 3, 9, 3, 1, 7, 5, 2];
  times.forEach((due, i) => heap.push(due, i));
  const out: number[] = [];
  for (let v = heap.popDue(100); v !== undefined; v = heap.popDue(100)) out.push(times[v]! * 100 + v);
  t.same(out, [104, 207, 301, 303, 500, 506, 705, 902]);
});
