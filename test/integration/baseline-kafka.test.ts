/**
 * Promises (issue 11, "State, scale, speed"), the baseline processor in real daemons on the Kafka
 * stage log with Redis checkpoints (one +50 % rule on a gauge, trailing 24 h and a daily season):
 * - kill -9 while it learns and restart do not restart learning: every point's baseline gauges,
 *   before and after the kill, equal one uninterrupted run's (the reference), and the degradation
 *   after the restart raises its event (a fresh baseline could not judge it: it needs an hour).
 * - two daemons on one topic own disjoint series: each series judged by exactly one daemon, every
 *   series judged, and the baselines and events equal one uninterrupted run's.
 * - a replay of a week of points with week-old timestamps gives the same baselines (the seasonal
 *   one included) and events as the baseline fed live, point by point, in seconds.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { tempDir } from '../daemon.js';
import { kafkaWithRedis, owners, sender, sendUntilAcked, type Point } from '../example-processor/e2e-support.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, redisAvailable, REDIS_PORT, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { baselineYaml, compareGauges, readEvents, readGauges, reference, savedOpenBuckets, workload, type Gauges } from './baseline-support.js';
import { daemonPorts, startDaemonWith, stopDaemon, uniqueName, type Ports } from './harness.js';

t.setTimeout(240_000);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Sends `ticks` in requests of `per` ticks, each until acknowledged; resolves with the requests acknowledged. */
async function sendTicks(s: ReturnType<typeof sender>, ticks: readonly Point[][], per: number): Promise<number> {
  let acked = 0;
  for (let i = 0; i < ticks.length; i += per) if (await sendUntilAcked(s, ticks.slice(i, i + per).flat())) acked++;
  return acked;
}

/** Whether Kafka and Redis both answer (requireService: a failure in CI). */
async function services(t: Test): Promise<boolean> {
  return requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())
    && requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable());
}

/** Whether every key of `want` among the points of `ticks` has gauges in `file`. */
const judgedAll = (file: string, want: ReadonlyMap<string, Gauges>, ticks: readonly Point[][]) => (): boolean => {
  const got = readGauges(file);
  return ticks.flat().every((p) => { const k = `${p.series}@${p.atMs}`; return !want.has(k) || got.has(k); });
};

interface Running { label: string; ports: Ports; gauges: string; events: string; daemon: Awaited<ReturnType<typeof startDaemonWith>> }

t.test('kill -9 while learning and restart: learning goes on, the degradation after the restart raises its event', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-baseline-crash');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const dir = tempDir();
  const gauges = join(dir, 'gauges.jsonl');
  const events = join(dir, 'events.jsonl');
  const yaml = baselineYaml({ ports, gauges, events, ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT) });
  const first = await startDaemonWith(t, 'daemon', yaml, ports.health);
  const s = sender(ports.http);
  t.teardown(() => s.close());

  // 6 series, 400 minutes two days ago (hour-aligned); every series degraded at minutes 350–355 (after the restart).
  const t0 = Math.floor((Date.now() - 2 * DAY) / HOUR) * HOUR;
  const ticks = workload(6, 400, t0, [350, 351, 352, 353, 354, 355]);
  const want = reference(ticks);
  t.equal(want.gauges.size, 6 * (400 - 60), 'the reference judges every point from the first hour on');

  let acked = await sendTicks(s, ticks.slice(0, 250), 25);
  t.ok(await waitUntil(judgedAll(gauges, want.gauges, ticks.slice(0, 250)), 60_000, 500), 'the first 250 minutes judged');
  t.ok(await waitUntil(async () => (await savedOpenBuckets(REDIS_PORT, name)).map((o) => `${o.start - t0}/${o.n}`).join() === Array(6).fill(`${245 * MINUTE}/5`).join(), 20_000, 200),
    'every series\' baseline checkpointed in Redis with the 250 minutes learnt');
  // Fifty minutes more, then the kill as soon as they are judged: their learning is in no checkpoint yet, or in one.
  acked += await sendTicks(s, ticks.slice(250, 300), 25);
  t.ok(await waitUntil(judgedAll(gauges, want.gauges, ticks.slice(0, 300)), 60_000, 100), 'the first 300 minutes judged');
  await first.stop('SIGKILL');

  const second = await startDaemonWith(t, 'restarted daemon', yaml, ports.health);
  acked += await sendTicks(s, ticks.slice(300), 25);
  t.equal(acked, 16, 'every request acknowledged, before and after the kill');
  const done = await waitUntil(judgedAll(gauges, want.gauges, ticks), 60_000, 500);
  await waitUntil(() => readEvents(events).size >= want.events.size, 20_000, 250);
  t.equal(await stopDaemon(second), 0, 'the restarted daemon drains and exits 0');
  t.ok(done, 'every point judged');
  const reloaded = second.logs().filter((l) => l.msg === 'baselines reloaded');
  t.comment(`reloaded: ${reloaded.map((l) => `${String(l.series)} series at offset ${String(l.offset)}`).join('; ')}`);
  t.ok(reloaded.length > 0, 'the restarted daemon reloaded the baselines');

  const result = compareGauges(readGauges(gauges), want.gauges);
  t.comment(`${want.gauges.size} points judged; ${result.duplicates} judged again after the kill (redelivered, same baseline)`);
  t.same({ ...result, duplicates: 0 }, { missing: 0, unexpected: 0, wrong: [], duplicates: 0 }, 'every baseline (expected, lower, upper) equals the uninterrupted run\'s');
  const degraded = [...want.events].filter((k) => k.endsWith(`@${t0 + 351 * MINUTE}`));
  t.equal(degraded.length, 6, 'in the uninterrupted run every series raises its event at the second degraded minute');
  t.same([...readEvents(events)].sort(), [...want.events].sort(), 'and after the restart exactly those events: every degradation caught');
});

t.test('two daemons on one topic: disjoint series, every series judged, the baselines and events of one run', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-baseline-scale');
  dropTopicsAtEnd(t, name);
  const dir = tempDir();
  const daemons: Running[] = [];
  for (const label of ['a', 'b']) {
    const ports = await daemonPorts();
    const gauges = join(dir, `${label}-gauges.jsonl`);
    const events = join(dir, `${label}-events.jsonl`);
    const yaml = baselineYaml({ ports, gauges, events, ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT) });
    daemons.push({ label, ports, gauges, events, daemon: await startDaemonWith(t, `daemon ${label}`, yaml, ports.health) });
  }
  const balanced = await waitUntil(async () => [...(await owners(REDIS_PORT, name, 4)).values()].join() === '2,2', 45_000, 250);
  t.ok(balanced, `the group settled: each daemon owns two of the four partitions (${JSON.stringify([...(await owners(REDIS_PORT, name, 4))])})`);

  const t0 = Math.floor((Date.now() - 3 * DAY) / HOUR) * HOUR;
  const ticks = workload(16, 300, t0, [260, 261, 262, 263]);
  const want = reference(ticks);
  const senders = daemons.map((d) => sender(d.ports.http));
  t.teardown(() => Promise.all(senders.map((s) => s.close())));
  let acked = 0;
  for (let i = 0; i < ticks.length; i += 20) if (await sendUntilAcked(senders[(i / 20) % 2]!, ticks.slice(i, i + 20).flat())) acked++; // alternately to each daemon
  t.equal(acked, 15, 'every request acknowledged');

  const all = (): Map<string, Gauges[]> => {
    const merged = new Map<string, Gauges[]>();
    for (const d of daemons) for (const [k, v] of readGauges(d.gauges)) merged.set(k, [...(merged.get(k) ?? []), ...v]);
    return merged;
  };
  const done = await waitUntil(() => all().size >= want.gauges.size, 60_000, 500);
  await waitUntil(() => daemons.reduce((n, d) => n + readEvents(d.events).size, 0) >= want.events.size, 20_000, 250);
  for (const d of daemons) t.equal(await stopDaemon(d.daemon), 0, `daemon ${d.label} drains and exits 0`);
  t.ok(done, `every point judged (${all().size} of ${want.gauges.size})`);

  t.same(compareGauges(all(), want.gauges), { missing: 0, unexpected: 0, wrong: [], duplicates: 0 }, 'together: every point judged once, as one uninterrupted run judges it');
  const judgedBy = new Map<string, Set<string>>();
  for (const d of daemons) for (const k of readGauges(d.gauges).keys()) {
    const series = k.split('@')[0]!;
    judgedBy.set(series, (judgedBy.get(series) ?? new Set<string>()).add(d.label));
  }
  t.equal(judgedBy.size, 16, 'every series judged');
  t.same([...judgedBy].filter(([, by]) => by.size > 1).map(([s]) => s), [], 'each series judged by one daemon only');
  const shareA = [...judgedBy.values()].filter((by) => by.has('a')).length;
  t.ok(shareA > 0 && shareA < 16, `each daemon owns some of the series (a: ${shareA}, b: ${16 - shareA})`);
  const events = new Set(daemons.flatMap((d) => [...readEvents(d.events)]));
  t.equal(want.events.size, 16, 'in one run every series raises its event');
  t.same([...events].sort(), [...want.events].sort(), 'the events of one run');
});

t.test('replay: a week of points with week-old timestamps, in seconds, judged as live', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-baseline-replay');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const dir = tempDir();
  const gauges = join(dir, 'gauges.jsonl');
  const events = join(dir, 'events.jsonl');
  const daemon = await startDaemonWith(t, 'daemon', baselineYaml({ ports, gauges, events, ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT) }), ports.health);
  const s = sender(ports.http);
  t.teardown(() => s.close());

  // 4 series × 7 days of 2-minute points from eight days ago; every day degraded for 10 minutes at a different hour.
  const perDay = 720;
  const t0 = Math.floor((Date.now() - 8 * DAY) / HOUR) * HOUR;
  const degraded = Array.from({ length: 7 }, (_, d) => Array.from({ length: 5 }, (_, k) => d * perDay + 300 + d * 41 + k)).flat();
  const ticks = workload(4, 7 * perDay, t0, degraded, 2);
  const want = reference(ticks);
  const seasonal = [...want.gauges.values()].filter((g) => g.kind === 'seasonal').length;
  t.ok(seasonal > want.gauges.size / 2, `the daily season takes over from the third day (${seasonal} of ${want.gauges.size} points judged on it)`);
  const began = Date.now();
  const acked = await sendTicks(s, ticks, 240);
  const sentMs = Date.now() - began;
  t.equal(acked, 21, 'every request acknowledged');
  const done = await waitUntil(() => readGauges(gauges).size >= want.gauges.size, 60_000, 1_000);
  const ms = Date.now() - began;
  await waitUntil(() => readEvents(events).size >= want.events.size, 20_000, 250);
  t.equal(await stopDaemon(daemon), 0, 'the daemon drains and exits 0');
  t.ok(done, `the week judged: ${want.gauges.size} points sent in ${sentMs} ms, all judged after ${ms} ms`);
  t.ok(ms < 60_000, `in seconds, not a week (${(ms / 1000).toFixed(1)} s)`);
  t.same(compareGauges(readGauges(gauges), want.gauges), { missing: 0, unexpected: 0, wrong: [], duplicates: 0 }, 'every baseline as the processor fed point by point gives it');
  t.ok(want.events.size >= 7 * 4, `the reference raises an event per series and day (${want.events.size})`);
  t.same([...readEvents(events)].sort(), [...want.events].sort(), 'the same events');
});
