/** The score writer writes the very bytes pdata's MetricsBuilder writes for the same score points. */
import t from 'tap';
import { forEachDataPoint, mergePayloads, MetricsBuilder, type Payload } from '../../pdata/index.js';
import { addScore } from './output.js';
import { ScoreWriter, scoreAttributes } from './score-writer.js';
import type { Verdict } from './series-model.js';

/** Gauge points of a few series under `resource`, some with a start time. */
function request(resource: Record<string, string>, from: number): Payload {
  const b = new MetricsBuilder();
  const scope = b.scope(resource, { name: 'test' });
  for (let i = from; i < from + 4; i++) {
    scope.gauge({ name: i % 2 === 0 ? 'queue.depth' : 'cpu' }, {
      attributes: { series: `s${i % 3}`, n: i % 2, city: 'zürich 東京', 'vigil.detector': i === from ? 'theirs' : undefined },
      startTimeUnixNano: i % 3 === 0 ? 5_000_000n : undefined,
      timeUnixNano: BigInt(1_790_000_000_000 + i * 60_000) * 1_000_000n,
      value: i * 1.5,
    });
  }
  return b.build()!;
}

t.test('the same bytes as MetricsBuilder: resources grouped by value, points in order, start times kept', async (t) => {
  // Two ResourceMetrics with equal attributes (in another key order) and one other, interleaved.
  const input = mergePayloads([request({ 'service.name': 'a', zone: 'x' }, 0), request({ 'service.name': 'b' }, 10), request({ zone: 'x', 'service.name': 'a' }, 20)]);
  const reference = new MetricsBuilder();
  const writer = new ScoreWriter();
  let points = 0;
  forEachDataPoint(input, (p) => {
    const score = points++ / 16;
    addScore(reference, p, { value: 1, score, detector: 'robust_z', event: false, threshold: 0.6 } satisfies Verdict, 'combined');
    writer.add(p, scoreAttributes(p, 'combined'), score);
  });
  t.equal(points, 12);
  const want = reference.build()!;
  const got = writer.build()!;
  t.equal(got.itemCount, want.itemCount);
  t.same(Buffer.from(got.bytes).toString('hex'), Buffer.from(want.bytes).toString('hex'));
});

t.test('nothing added: no payload', async (t) => {
  t.equal(new ScoreWriter().build(), null);
});
