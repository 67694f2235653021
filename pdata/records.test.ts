/** The byte-level record operations keep every item exactly once, under its resource and scope, in valid requests. */
import t, { type Test } from 'tap';
import { makeRealisticTraceRequest } from './bench.js';
import { decodeProtobuf } from './decode.js';
import { fromJson, toJson } from './json.js';
import { Payload } from './payload.js';
import { groupByPartition } from './partition.js';
import { filterSpans, forEachSpan, mergePayloads, partitionOf, splitByKey, splitPayload } from './records.js';
import { FULL_METRICS_JSON } from './test-fixtures.js';

interface Doc { [k: string]: unknown }

/** Every item with its resource and scope JSON, as sortable strings. */
function items(payloads: Payload[]): string[] {
  const [r, s, i] = { traces: ['resourceSpans', 'scopeSpans', 'spans'], metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'], logs: ['resourceLogs', 'scopeLogs', 'logRecords'] }[payloads[0]!.signal];
  const out: string[] = [];
  for (const p of payloads) {
    const doc = JSON.parse(toJson(p)) as Doc;
    for (const rs of doc[r!] as Doc[]) {
      for (const ss of rs[s!] as Doc[]) {
        for (const item of ss[i!] as Doc[]) {
          const { [s!]: _scopes, ...resource } = rs;
          const { [i!]: _items, ...scope } = ss;
          out.push(JSON.stringify({ resource, scope, item }));
        }
      }
    }
  }
  return out.sort();
}

/** Asserts each piece is a valid request whose itemCount is right. */
function valid(t: Test, pieces: Payload[]): void {
  for (const p of pieces) t.equal(decodeProtobuf(p.signal, p.bytes).payload?.itemCount, p.itemCount, 'valid request, right count');
}

const bytes = makeRealisticTraceRequest(512);
const payload = new Payload('traces', bytes, 512);
const all = items([payload]);

t.test('splitByKey: one valid request per trace, every span once', async (t) => {
  const parts = splitByKey(payload);
  t.equal(parts.length, 64);
  valid(t, parts.map((p) => p.payload));
  t.same(items(parts.map((p) => p.payload)), all);
  for (const { key, id, payload: part } of parts) {
    forEachSpan(part, (s) => t.same(Buffer.from(s.traceId), Buffer.from(key!), 'key is the trace id'));
    t.equal(id, Buffer.from(key!).toString('latin1'), 'id is the same bytes as a string');
  }
  const single = parts[3]!.payload;
  const again = splitByKey(single);
  t.equal(again.length, 1);
  t.equal(again[0]!.payload, single, 'single trace: the same payload');
  const metrics = fromJson('metrics', JSON.stringify(FULL_METRICS_JSON)).payload!;
  t.same(splitByKey(metrics), [{ key: undefined, id: undefined, payload: metrics }]);
});

t.test('groupByPartition: at most n requests, grouped by partitionOf', async (t) => {
  const groups = groupByPartition(payload, 4);
  t.ok(groups.size <= 4 && groups.size > 1);
  valid(t, [...groups.values()]);
  t.same(items([...groups.values()]), all);
  for (const [partition, part] of groups) forEachSpan(part, (s) => t.equal(partitionOf(s.traceId, 4), partition));
  t.equal(groupByPartition(payload, 1).get(0), payload);
});

t.test('partitionOf: Kafka murmur2 partitioner, stable', async (t) => {
  // Kafka's murmur2 test vectors (the signed 32-bit hash), through toPositive(h) % n.
  const vectors: Array<[string, number]> = [['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107]];
  for (const [s, h] of vectors) t.equal(partitionOf(Buffer.from(s), 1000003), (h & 0x7fffffff) % 1000003, s);
  t.equal(partitionOf(undefined, 8), 0);
});

t.test('filterSpans', async (t) => {
  const keepEven = (id: Uint8Array): boolean => id[15]! % 2 === 0;
  const kept = filterSpans(payload, keepEven)!;
  t.equal(kept.itemCount, 256);
  valid(t, [kept]);
  forEachSpan(kept, (s) => t.ok(keepEven(s.traceId)));
  t.equal(filterSpans(payload, () => true), payload, 'all kept: same payload');
  t.equal(filterSpans(payload, () => false), null);
  const dropped = filterSpans(payload, (id) => !keepEven(id))!;
  t.same(items([kept, dropped]), all);
});

t.test('mergePayloads and splitPayload', async (t) => {
  const parts = splitPayload(payload, 100);
  t.same(parts.map((p) => p.itemCount), [100, 100, 100, 100, 100, 12]);
  valid(t, parts);
  t.same(items(parts), all);
  const merged = mergePayloads(parts);
  t.equal(merged.itemCount, 512);
  valid(t, [merged]);
  t.same(items([merged]), all);
  t.same(splitPayload(payload, 512), [payload]);
  const metrics = fromJson('metrics', JSON.stringify(FULL_METRICS_JSON)).payload!;
  const mparts = splitPayload(metrics, 2);
  t.same(mparts.map((p) => p.itemCount), [2, 2, 2, 1], 'metrics split at data point granularity');
  valid(t, mparts);
  // 5 metrics; the gauge's 3 points are cut over two pieces, so it appears twice, with its name in both
  const metricNames = items(mparts).map((m) => (JSON.parse(m) as { item: { name: string } }).item.name).sort();
  t.same(metricNames, ['exp', 'gauge', 'gauge', 'jobs', 'rpc.latency', 'size']);
  t.throws(() => mergePayloads([payload, metrics]));
});

t.test('forEachSpan reads the light view', async (t) => {
  const seen: string[] = [];
  forEachSpan(payload, (s) => {
    if (seen.length === 0) {
      t.equal(s.serviceName, 'checkout');
      t.equal(s.startTimeUnixNano, 1700000000123456789n);
      t.equal(s.kind, 2);
      t.equal(s.statusCode, 1);
      t.equal(s.name, 'GET /api/v1/cart/{id}');
      t.equal(s.spanId.length, 8);
    }
    seen.push(Buffer.from(s.spanId).toString('hex'));
  });
  t.equal(new Set(seen).size, 512);
});
