/**
 * Promise (issue 9): a stateful processor split over two daemons on one Kafka topic gives the same
 * answer as one. The example window_sum processor (per-series event-time windows) runs in two real
 * daemons sharing a consumer group; clients send every request to either. Each daemon owns about
 * half the series — every window of a series comes from one daemon — and together they emit every
 * window once, with the sums the points make.
 */
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../daemon.js';
import { compare, exampleYaml, expectedWindows, kafkaWithRedis, owners, readWindows, sender, sendUntilAcked, VIGIL_EXAMPLE, type Point } from '../example-processor/e2e-support.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, redisAvailable, REDIS_PORT, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { daemonPorts, startDaemonWith, stopDaemon, uniqueName } from './harness.js';

t.setTimeout(120_000);
const WINDOW_MS = 5_000;

t.test('two daemons on one topic each own half the series and together emit every window once', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-wsum-scale');
  dropTopicsAtEnd(t, name);
  const daemons: Array<{ label: string; ports: Awaited<ReturnType<typeof daemonPorts>>; file: string; daemon: Awaited<ReturnType<typeof startDaemonWith>> }> = [];
  for (const label of ['a', 'b']) {
    const ports = await daemonPorts();
    const file = join(tempDir(), `${label}.jsonl`);
    const yaml = exampleYaml({ ...ports, file, window: '5s', ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT) });
    daemons.push({ label, ports, file, daemon: await startDaemonWith(t, `daemon ${label}`, yaml, ports.health, VIGIL_EXAMPLE) });
  }
  const balanced = await waitUntil(async () => [...(await owners(REDIS_PORT, name, 4)).values()].join() === '2,2', 30_000);
  t.ok(balanced, `the group settled: each daemon owns two of the four partitions (${JSON.stringify([...(await owners(REDIS_PORT, name, 4))])})`);

  // One minute of event time a day ago: 100 series, a point per series every second.
  const t0 = Math.floor((Date.now() - 86_400_000) / 60_000) * 60_000;
  const series = Array.from({ length: 100 }, (_, i) => `series-${i}`);
  const ticks = Array.from({ length: 60 }, (_, i) => series.map((s, j): Point => ({ series: s, value: (i % 7) + j, atMs: t0 + i * 1000 + 3 })));
  const senders = daemons.map((d) => sender(d.ports.http));
  t.teardown(() => Promise.all(senders.map((s) => s.close())));
  let acked = 0;
  for (const [i, tick] of ticks.entries()) if (await sendUntilAcked(senders[i % 2]!, tick)) acked++; // alternately to each daemon
  t.equal(acked, ticks.length, 'every request acknowledged');

  const want = expectedWindows(ticks.flat(), WINDOW_MS);
  const all = () => daemons.flatMap((d) => readWindows(d.file));
  const done = await waitUntil(() => new Set(all().map((w) => w.key)).size >= want.size, 40_000);
  t.ok(done, `every window emitted (${new Set(all().map((w) => w.key)).size} of ${want.size})`);
  for (const d of daemons) t.equal(await stopDaemon(d.daemon), 0, `daemon ${d.label} drains and exits 0`);

  t.same(compare(all(), want), { missing: [], wrong: [], duplicates: 0 }, 'together: every window once, with the right sum and count');
  const windowedBy = new Map<string, Set<string>>();
  for (const d of daemons) {
    for (const w of readWindows(d.file)) {
      const s = w.key.split('@')[0]!;
      windowedBy.set(s, (windowedBy.get(s) ?? new Set<string>()).add(d.label));
    }
  }
  t.same([...windowedBy.values()].filter((o) => o.size > 1).length, 0, 'every series was windowed by one daemon only');
  const share = [...windowedBy.values()].filter((o) => o.has('a')).length / series.length;
  t.ok(share > 0.2 && share < 0.8, `each daemon owns a share of the series (a: ${Math.round(share * 100)} %, b: ${Math.round((1 - share) * 100)} %)`);
});
