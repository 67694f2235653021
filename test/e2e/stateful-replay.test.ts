/**
 * Promise (issue 9): a stateful processor gives the same answer live and on replay. The example
 * window_sum processor runs in two real daemons on the memory queue: one gets ten seconds of gauge
 * points as they happen, the other the same points an hour old, in one burst. Both must emit the
 * same 1 s event-time windows, each once, with the sums the points make.
 */
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../daemon.js';
import { compare, exampleYaml, expectedWindows, readWindows, sender, VIGIL_EXAMPLE, type Point } from '../example-processor/e2e-support.js';
import { daemonPorts, startDaemonWith, stopDaemon } from '../integration/harness.js';
import { waitUntil } from '../wait.js';

t.setTimeout(90_000);
const HOUR = 3_600_000;

t.test('ten seconds live and the same ten seconds replayed an hour later give the same windows', async (t) => {
  const series = Array.from({ length: 20 }, (_, i) => `s${i}`);
  const start = Math.ceil(Date.now() / 1000) * 1000 + 2000;
  // Every 200 ms one point per series; values differ per series and tick, so a misplaced point shows.
  const ticks = Array.from({ length: 50 }, (_, i) => series.map((s, j): Point => ({ series: s, value: i * 100 + j, atMs: start + i * 200 + 7 })));
  const daemons = await Promise.all(['live', 'replay'].map(async (label) => {
    const ports = await daemonPorts();
    const file = join(tempDir(), `${label}.jsonl`);
    const yaml = exampleYaml({ ...ports, file, window: '1s', queue: '{ type: memory, memory: { partitions: 4 } }' });
    return { label, ports, file, daemon: await startDaemonWith(t, label, yaml, ports.health, VIGIL_EXAMPLE) };
  }));
  const [live, replay] = daemons as [typeof daemons[0], typeof daemons[0]];
  const liveSender = sender(live.ports.http);
  const replaySender = sender(replay.ports.http);
  t.teardown(async () => { await liveSender.close(); await replaySender.close(); });

  const replayed = ticks.map((tick) => tick.map((p) => ({ ...p, atMs: p.atMs - HOUR })));
  // A backfill sends in event-time order, as fast as it is acknowledged (out-of-order data would
  // need allowed_lateness: with none, a point behind the watermark is late and left out).
  const burst = (async () => {
    const began = Date.now();
    let acked = 0;
    for (const tick of replayed) if (await replaySender.send(tick)) acked++;
    return { acked, ms: Date.now() - began };
  })();
  let liveAcked = 0;
  for (const tick of ticks) {
    const wait = tick[0]!.atMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (await liveSender.send(tick)) liveAcked++;
  }
  const replay1 = await burst;
  t.equal(replay1.acked, ticks.length, `every replayed request acknowledged (the ten seconds replayed in ${replay1.ms} ms)`);
  t.equal(liveAcked, ticks.length, 'every live request acknowledged');

  const want = expectedWindows(ticks.flat(), 1000);
  const shifted = (ws: ReturnType<typeof readWindows>) => ws.map((w) => ({ ...w, key: w.key.replace(/@(\d+)$/, (_m, ms: string) => `@${Number(ms) + HOUR}`) }));
  // The last window closes once the partition is idle (idle_timeout 1 s), without a shutdown.
  const closed = await waitUntil(() => readWindows(live.file).length >= want.size && readWindows(replay.file).length >= want.size, 20_000);
  t.ok(closed, `both daemons emitted every window while running (live ${readWindows(live.file).length}, replay ${readWindows(replay.file).length} of ${want.size})`);
  for (const d of daemons) t.equal(await stopDaemon(d.daemon), 0, `${d.label} drains and exits 0`);

  const liveResult = compare(readWindows(live.file), want);
  const replayResult = compare(shifted(readWindows(replay.file)), want);
  t.same(liveResult, { missing: [], wrong: [], duplicates: 0 }, 'live: every window once, with the right sum and count');
  t.same(replayResult, { missing: [], wrong: [], duplicates: 0 }, 'replay: the same windows, an hour earlier');
});
