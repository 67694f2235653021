/** The models' shared slabs of numbers (block.ts) and the seasonal counts' 16-bit limit. */
import t from 'tap';
import { Arena, Block, Layout } from './block.js';
import { configSchema, modelOptions } from './config.js';
import { Seasonal, type SeasonalOptions } from './seasonal.js';
import { SeriesModel } from './series-model.js';

const HOUR = 3_600_000;
const valueOf = (s: number, i: number): number => 100 + 10 * Math.sin(i / 50 + s) + 5 * Math.sin(i * 12.9898 + s * 78.233) + (i === 400 + s ? 80 : 0);

t.test('models sharing slabs score exactly as models alone (no two blocks overlap)', async (t) => {
  const config = configSchema.parse({ detectors: ['robust_z', 'seasonal'] });
  const shared = modelOptions(config);
  const series = 40; // past the first slabs of 4, 8 and 16 models
  const together = Array.from({ length: series }, (_, s) => new SeriesModel(shared, `s${s}`));
  // Each alone: options of its own, so an arena of its own.
  const alone = Array.from({ length: series }, (_, s) => new SeriesModel(modelOptions(config), `s${s}`));
  let differ = 0;
  let events = 0;
  for (let i = 0; i < 600; i++) {
    for (let s = 0; s < series; s++) {
      const a = together[s]!.observe(valueOf(s, i), i * 60_000);
      const b = alone[s]!.observe(valueOf(s, i), i * 60_000);
      if (JSON.stringify(a) !== JSON.stringify(b)) differ++;
      if (a.event) events++;
    }
  }
  t.equal(differ, 0, 'every verdict equal');
  t.ok(events > 0, `the spikes raised events (${events})`);
  t.same(together.map((m) => m.save()), alone.map((m) => m.save()), 'the same saved state');
});

t.test('a layout hands out regions one after another; an arena\'s blocks lie one after another', async (t) => {
  const layout = new Layout();
  t.equal(layout.takeF(2), 0);
  t.equal(layout.takeF(1), 2, 'the second region starts after the first');
  t.equal(layout.takeB(3), 0, 'each kind of number counts on its own');
  t.same(layout.needs, { f: 3, g: 0, u: 0, b: 3 });
  const arena = new Arena(layout);
  const a = arena.block();
  const b = arena.block();
  t.same([b.fAt, b.bAt], [3, 3], 'the second block starts where the first ends');
  t.equal(a.f, b.f, 'in the same slab');
});

t.test('seasonal counts stop at a byte (16 bits when min_per_slot or 1/alpha pass it) without changing a score, and reload', async (t) => {
  const alone = (o: SeasonalOptions): [Seasonal, Block] => {
    const layout = new Layout(Seasonal.wide(o));
    const s = new Seasonal(o, layout);
    return [s, Block.alone(layout)];
  };
  const byte = { periodMs: 2 * HOUR, slotMs: HOUR, alpha: 0.1, minPerSlot: 3 };
  for (const [o, most, points] of [[byte, 0xff, 1_000], [{ ...byte, minPerSlot: 300 }, 0xffff, 70_000]] as const) {
    const [s, b] = alone(o);
    for (let i = 0; i < points; i++) s.observe(b, 10 + (i % 7), 0);
    t.same(s.save(b).n, [most, 0], `the count stopped at ${most}`);
    const [copy, cb] = alone(o);
    copy.load(cb, { ...s.save(b), n: [1e6, 0] });
    t.same(copy.save(cb).n, [most, 0], 'a larger saved count is clamped');
    t.same(copy.observe(cb, 30, 0), s.observe(b, 30, 0), 'the same verdict');
  }
  t.ok(Seasonal.wide({ ...byte, alpha: 1e-5 }) && Seasonal.wide({ ...byte, minPerSlot: 70_000 }) && !Seasonal.wide(byte), '32-bit counts when 1/alpha or min_per_slot pass 16 bits');
});
