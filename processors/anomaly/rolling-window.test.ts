/** The rolling window against a naive median and MAD of the trailing values, through its ring's wrap-arounds. */
import fc from 'fast-check';
import t from 'tap';
import { Arena, Block, Layout } from './block.js';
import { RollingWindow } from './rolling-window.js';

const medianOf = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Sizes around the byte slots' edges (256: no twins; 257–512: twins; 513: whole slots) and small ones. */
const sizes = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 250, max: 520 }), fc.constantFrom(256, 257, 288, 511, 512, 513));
/** Values with many ties (a few levels) or spread out. */
const values = fc.oneof(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 1600, size: 'max' }), fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 1600, size: 'max' }));

t.test('median, MAD and the values oldest first equal a naive count of the trailing values, at any size and wrap', async (t) => {
  fc.assert(fc.property(sizes, values, fc.integer({ min: 1, max: 13 }), (size, xs, every) => {
    const layout = new Layout();
    const w = new RollingWindow(size, layout);
    const block = Block.alone(layout);
    const all: number[] = [];
    xs.forEach((x, i) => {
      w.push(block, x);
      all.push(Math.fround(x)); // the window keeps singles
      if (i % every !== 0 && i !== xs.length - 1) return;
      const tail = all.slice(-size);
      const m = medianOf(tail);
      if (w.count(block) !== tail.length || w.median(block) !== m || w.mad(block, m) !== medianOf(tail.map((v) => Math.abs(v - m)))) throw new Error(`differs at step ${i}`);
      if (i === xs.length - 1 && w.oldestFirst(block).join() !== tail.join()) throw new Error('values oldest first differ');
    });
  }), { numRuns: 60 });
  t.pass('60 random windows and streams');
});

t.test('a window reloaded from its values oldest first goes on exactly as the one it was saved from', async (t) => {
  fc.assert(fc.property(fc.constantFrom(100, 288, 400, 512, 600), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1200, maxLength: 1500, size: 'max' }), fc.integer({ min: 1, max: 1199 }), (size, xs, cut) => {
    // Two windows in neighbouring blocks of one slab: neither writes into the other.
    const layout = new Layout();
    const w = new RollingWindow(size, layout);
    const arena = new Arena(layout);
    const a = arena.block();
    const b = arena.block();
    xs.slice(0, cut).forEach((x) => w.push(a, x));
    for (const x of w.oldestFirst(a)) w.push(b, x);
    for (const x of xs.slice(cut)) {
      w.push(a, x);
      w.push(b, x);
      if (w.median(a) !== w.median(b) || w.mad(a, w.median(a)) !== w.mad(b, w.median(b))) throw new Error('the reloaded window differs');
    }
    if (w.oldestFirst(a).join() !== w.oldestFirst(b).join()) throw new Error('values differ');
  }), { numRuns: 30 });
  t.pass('30 random reloads');
});
