/**
 * Promises (issue 11, "State, scale, speed"), the anomaly processor in real daemons on the Kafka
 * stage log with Redis checkpoints, default detectors (robust_z, seasonal, isolation forest):
 * - kill -9 and restart do not restart learning: every point's score, before and after the kill,
 *   equals the score of one uninterrupted run (the reference), and the first spike after the
 *   restart is flagged with a vigil.anomaly event (a fresh model could not score it at all).
 * - two daemons on one topic own disjoint series: each series scored by exactly one daemon, every
 *   series scored, and the scores equal one uninterrupted run.
 * - a replay of a week of 1-minute points with week-old timestamps gives the same scores and events
 *   as the model fed live, point by point, in seconds.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { tempDir } from '../daemon.js';
import { kafkaWithRedis, owners, sender, sendUntilAcked, type Point } from '../example-processor/e2e-support.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, redisAvailable, REDIS_PORT, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { anomalyYaml, compareScores, readEvents, readScores, reference, savedModels, workload } from './anomaly-support.js';
import { daemonPorts, startDaemonWith, stopDaemon, uniqueName, type Ports } from './harness.js';

t.setTimeout(300_000);
const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
/**
 * Midnight UTC `days` days ago. The workload starts on a day boundary so the seasonal detector sees
 * the same hours of day in every run: started at any minute, a noise event can fall within the
 * refractory period before a spike and silence it (about one start time in ten did).
 */
const startOfDay = (days: number): number => Math.floor((Date.now() - days * DAY) / DAY) * DAY;

/** Sends `ticks` in requests of `per` ticks, each until acknowledged; resolves with the requests acknowledged. */
async function sendTicks(s: ReturnType<typeof sender>, ticks: readonly Point[][], per: number): Promise<number> {
  let acked = 0;
  for (let i = 0; i < ticks.length; i += per) if (await sendUntilAcked(s, ticks.slice(i, i + per).flat())) acked++;
  return acked;
}

/** Keys of `ticks`' points. */
const keysOf = (ticks: readonly Point[][]): string[] => ticks.flat().map((p) => `${p.series}@${p.atMs}`);

/** Whether Kafka and Redis both answer (requireService: a failure in CI). */
async function services(t: Test): Promise<boolean> {
  return requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())
    && requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable());
}

interface Running { label: string; ports: Ports; scores: string; events: string; daemon: Awaited<ReturnType<typeof startDaemonWith>> }

t.test('kill -9 and restart: learning goes on, the first spike after the restart is flagged', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-anomaly-crash');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const dir = tempDir();
  const scores = join(dir, 'scores.jsonl');
  const events = join(dir, 'events.jsonl');
  const yaml = anomalyYaml({ ports, scores, events, ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT) });
  const first = await startDaemonWith(t, 'daemon', yaml, ports.health);
  const s = sender(ports.http);
  t.teardown(() => s.close());

  // 6 series, 400 minutes two days ago; every series spikes once, at minute 350 (after the restart).
  const t0 = startOfDay(2);
  const ticks = workload(6, 400, t0, [350]);
  const want = reference(ticks);
  const scoredAll = (part: readonly Point[][]) => () => { const got = readScores(scores); return keysOf(part).every((k) => got.has(k)); };

  let acked = await sendTicks(s, ticks.slice(0, 250), 25);
  t.ok(await waitUntil(scoredAll(ticks.slice(0, 250)), 60_000, 500), 'the first 250 minutes scored');
  // The forest is built from the 128th point on: a checkpoint past it exercises its reload too.
  t.ok(await waitUntil(async () => (await savedModels(REDIS_PORT, name)).join() === Array(6).fill(249).join(), 20_000, 200), 'every series\' model checkpointed in Redis with the 250 minutes learnt');
  // Fifty minutes more, then the kill as soon as they are scored: their learning is in no checkpoint yet, or in one.
  acked += await sendTicks(s, ticks.slice(250, 300), 25);
  t.ok(await waitUntil(scoredAll(ticks.slice(0, 300)), 60_000, 100), 'the first 300 minutes scored');
  await first.stop('SIGKILL');

  const second = await startDaemonWith(t, 'restarted daemon', yaml, ports.health);
  acked += await sendTicks(s, ticks.slice(300), 25);
  t.equal(acked, 16, 'every request acknowledged, before and after the kill');
  const done = await waitUntil(scoredAll(ticks), 60_000, 500);
  await waitUntil(() => readEvents(events).size >= want.events.size, 20_000, 250);
  t.equal(await stopDaemon(second), 0, 'the restarted daemon drains and exits 0');
  t.ok(done, 'every point scored');
  const reloaded = second.logs().filter((l) => l.msg === 'anomaly models reloaded');
  t.comment(`reloaded: ${reloaded.map((l) => `${String(l.series)} series at offset ${String(l.offset)}`).join('; ')}`);
  t.ok(reloaded.length > 0, 'the restarted daemon reloaded the models');

  const result = compareScores(readScores(scores), want.scores);
  t.comment(`${ticks.flat().length} points; ${result.duplicates} scored again after the kill (redelivered, same score)`);
  t.same({ ...result, duplicates: 0 }, { missing: 0, unexpected: 0, wrong: [], duplicates: 0 }, 'every score equals the uninterrupted run\'s');
  const spikes = [...want.events].filter((k) => k.endsWith(`@${t0 + 350 * MINUTE}`));
  t.equal(spikes.length, 6, 'in the uninterrupted run every spike raises an event');
  const got = readEvents(events);
  t.same(spikes.filter((k) => !got.has(k)), [], 'and after the restart too: every spike flagged with a vigil.anomaly event');
  t.same([...got].sort(), [...want.events].sort(), 'exactly the uninterrupted run\'s events');
  const spikeScores = spikes.map((k) => readScores(scores).get(k)?.[0] ?? 0);
  t.ok(spikeScores.every((x) => x >= 0.5), `spike scores above the threshold 0.5 (${spikeScores.map((x) => x.toFixed(3)).join(', ')})`);
});

t.test('two daemons on one topic: disjoint series, every series scored, the same scores as one run', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-anomaly-scale');
  dropTopicsAtEnd(t, name);
  const dir = tempDir();
  const daemons: Running[] = [];
  for (const label of ['a', 'b']) {
    const ports = await daemonPorts();
    const scores = join(dir, `${label}-scores.jsonl`);
    const events = join(dir, `${label}-events.jsonl`);
    const yaml = anomalyYaml({ ports, scores, events, ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT) });
    daemons.push({ label, ports, scores, events, daemon: await startDaemonWith(t, `daemon ${label}`, yaml, ports.health) });
  }
  const balanced = await waitUntil(async () => [...(await owners(REDIS_PORT, name, 4)).values()].join() === '2,2', 45_000, 250);
  t.ok(balanced, `the group settled: each daemon owns two of the four partitions (${JSON.stringify([...(await owners(REDIS_PORT, name, 4))])})`);

  const t0 = startOfDay(3);
  const ticks = workload(16, 300, t0, [260]);
  const want = reference(ticks);
  const senders = daemons.map((d) => sender(d.ports.http));
  t.teardown(() => Promise.all(senders.map((s) => s.close())));
  let acked = 0;
  for (let i = 0; i < ticks.length; i += 20) if (await sendUntilAcked(senders[(i / 20) % 2]!, ticks.slice(i, i + 20).flat())) acked++; // alternately to each daemon
  t.equal(acked, 15, 'every request acknowledged');

  const all = () => {
    const merged = new Map<string, number[]>();
    for (const d of daemons) for (const [k, v] of readScores(d.scores)) merged.set(k, [...(merged.get(k) ?? []), ...v]);
    return merged;
  };
  // Generous for a loaded machine. (A Node 24 CI pass once timed out here with 60 of 4,800 points
  // missing: not slowness but a lost record, the buffer pool writing over a shared Buffer pool, fixed.)
  const done = await waitUntil(() => all().size >= want.scores.size, 150_000, 500);
  await waitUntil(() => daemons.reduce((n, d) => n + readEvents(d.events).size, 0) >= want.events.size, 20_000, 250);
  for (const d of daemons) t.equal(await stopDaemon(d.daemon), 0, `daemon ${d.label} drains and exits 0`);
  t.ok(done, `every point scored (${all().size} of ${want.scores.size})`);

  t.same(compareScores(all(), want.scores), { missing: 0, unexpected: 0, wrong: [], duplicates: 0 }, 'together: every point scored once, as one uninterrupted run scores it');
  const scoredBy = new Map<string, Set<string>>();
  for (const d of daemons) for (const k of readScores(d.scores).keys()) {
    const series = k.split('@')[0]!;
    scoredBy.set(series, (scoredBy.get(series) ?? new Set<string>()).add(d.label));
  }
  t.equal(scoredBy.size, 16, 'every series scored');
  t.same([...scoredBy].filter(([, by]) => by.size > 1).map(([s]) => s), [], 'each series scored by one daemon only');
  const shareA = [...scoredBy.values()].filter((by) => by.has('a')).length;
  t.ok(shareA > 0 && shareA < 16, `each daemon owns some of the series (a: ${shareA}, b: ${16 - shareA})`);
  const events = new Set(daemons.flatMap((d) => [...readEvents(d.events)]));
  t.same([...events].sort(), [...want.events].sort(), `the events of one run (${want.events.size})`);
});

t.test('replay: a week of 1-minute points with week-old timestamps, in seconds, scores as live', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-anomaly-replay');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const dir = tempDir();
  const scores = join(dir, 'scores.jsonl');
  const events = join(dir, 'events.jsonl');
  const daemon = await startDaemonWith(t, 'daemon', anomalyYaml({ ports, scores, events, ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT) }), ports.health);
  const s = sender(ports.http);
  t.teardown(() => s.close());

  // 4 series × 7 days of minutes, starting eight days ago; a spike every day at a different hour.
  const t0 = startOfDay(8);
  const ticks = workload(4, 7 * 1_440, t0, Array.from({ length: 7 }, (_, d) => d * 1_440 + 600 + d * 97));
  const want = reference(ticks);
  const began = Date.now();
  const acked = await sendTicks(s, ticks, 240);
  const sentMs = Date.now() - began;
  t.equal(acked, 42, 'every request acknowledged');
  const done = await waitUntil(() => readScores(scores).size >= want.scores.size, 60_000, 1_000);
  const ms = Date.now() - began;
  await waitUntil(() => readEvents(events).size >= want.events.size, 20_000, 250);
  t.equal(await stopDaemon(daemon), 0, 'the daemon drains and exits 0');
  t.ok(done, `the week scored: ${want.scores.size} points sent in ${sentMs} ms, all scored after ${ms} ms`);
  t.ok(ms < 60_000, `in seconds, not a week (${(ms / 1000).toFixed(1)} s)`);
  t.same(compareScores(readScores(scores), want.scores), { missing: 0, unexpected: 0, wrong: [], duplicates: 0 }, 'every score as the model fed point by point gives it');
  t.ok(want.events.size >= 7, `the reference raises events (${want.events.size})`);
  t.same([...readEvents(events)].sort(), [...want.events].sort(), 'the same events');
});
