/** The decision memory and the arrival order: the same answers as a Map in insertion order, without its cost. */
import fc from 'fast-check';
import t from 'tap';
import { ArrivalOrder, DecisionMemory, type Remembered } from './pending.js';

/** What DecisionMemory replaced: a Map re-inserted on every set, its first key the one to forget. */
class Reference {
  private readonly map = new Map<string, Remembered>();
  constructor(private readonly capacity: number) {}
  get(key: string): Remembered | undefined { return this.map.get(key); }
  set(key: string, value: Remembered): string | undefined {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size <= this.capacity) return undefined;
    const oldest = this.map.keys().next().value!;
    this.map.delete(oldest);
    return oldest;
  }
}

t.test('DecisionMemory forgets what a re-inserted Map would, in the same order', async () => {
  const op = fc.record({ key: fc.integer({ min: 0, max: 40 }).map(String), get: fc.boolean(), sampled: fc.boolean() });
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 3000 }), (capacity, ops) => {
    const mine = new DecisionMemory(capacity);
    const ref = new Reference(capacity);
    return ops.every((o, i) => {
      if (o.get) return mine.get(o.key) === ref.get(o.key); // the very object remembered, or none in both
      const v: Remembered = { decision: o.sampled ? 'sampled' : 'not_sampled', atWall: i };
      return mine.set(o.key, v) === ref.set(o.key, v);
    });
  }), { numRuns: 300 });
});

t.test('ArrivalOrder: the oldest current key; stale entries skipped and, past 1,024, compacted away', async (t) => {
  const current = new Map<string, number>();
  const order = new ArrivalOrder();
  const stampOf = (k: string): number | undefined => current.get(k);
  for (let i = 0; i < 5000; i++) {
    current.set(`k${i}`, i);
    order.push(`k${i}`, i, stampOf);
    if (i >= 100) current.delete(`k${i - 100}`); // decided in arrival order, 100 behind
  }
  t.equal(order.first(stampOf), 'k4900');
  current.set('k4900', 9999); // re-added later: its old entry is stale
  t.equal(order.first(stampOf), 'k4901');
  t.ok((order as unknown as { keys: string[] }).keys.length < 2200, 'the decided prefix does not pile up');
  current.clear();
  t.equal(order.first(stampOf), undefined);
});
