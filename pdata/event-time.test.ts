import t from 'tap';
import { windowAttributes } from './event-time.js';

t.test('a point\'s window as event attributes: ISO 8601, no start for a point without one', async (t) => {
  const start = Date.UTC(2026, 10, 27, 12, 0);
  const ns = (ms: number) => BigInt(ms) * 1_000_000n;
  t.same(windowAttributes({ startTimeUnixNano: ns(start), timeUnixNano: ns(start + 60_000) + 999_999n }), { 'window.start': '2026-11-27T12:00:00.000Z', 'window.end': '2026-11-27T12:01:00.000Z' });
  t.same(windowAttributes({ startTimeUnixNano: 0n, timeUnixNano: ns(start) }), { 'window.start': undefined, 'window.end': '2026-11-27T12:00:00.000Z' });
});
