/**
 * Promises (issue 11, "State, scale, speed"), red_indicators in real daemons on the Kafka stage log
 * with Redis checkpoints, fed span_metrics' cumulative calls and duration histograms of eight
 * services with event times an hour old. The reference is a daemon on the memory queue that gets
 * the same data without interruption; its calls are also checked against the data itself.
 * - kill -9 with windows open, restart: every window's indicators (calls, throughput, error rate,
 *   p50/p95/p99) equal the reference's — no replayed record counted twice, no count lost.
 * - two daemons on one topic: each service windowed by one daemon, every window once, equal to the
 *   reference.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { Redis } from 'ioredis';
import { tempDir } from '../daemon.js';
import { kafkaWithRedis, owners } from '../example-processor/e2e-support.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, redisAvailable, REDIS_PORT, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { daemonPorts, startDaemonWith, stopDaemon, uniqueName, type Ports } from './harness.js';
import { compareRed, expectedCalls, flushes, readRed, redSender, redYaml, WINDOW_MS, type Flush } from './red-support.js';

// Alone on a loaded 2-core machine the file takes ~100 s (two subtests of three daemons and idle windows):
// the budget leaves room for a busy CI machine; a real failure still fails, only later.
t.setTimeout(240_000);
const SERVICES = 8;
const TICKS = 60;
const MEMORY = { queue: '{ type: memory, memory: { partitions: 4 } }', state: '{ type: memory }' };

/** Whether Kafka and Redis both answer (requireService: a failure in CI). */
async function services(t: Test): Promise<boolean> {
  return requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())
    && requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable());
}

/** A started daemon with its output file. */
interface Running { label: string; ports: Ports; file: string; daemon: Awaited<ReturnType<typeof startDaemonWith>> }

async function start(t: Test, label: string, dir: string, setup: { queue: string; state: string }, idleTimeout = '1s'): Promise<Running> {
  const ports = await daemonPorts();
  const file = join(dir, `${label}.jsonl`);
  return { label, ports, file, daemon: await startDaemonWith(t, label, redYaml({ ports, file, idleTimeout, ...setup }), ports.health) };
}

/** The calls gauges of `red` as `service|operation|window start` → value (first copy). */
function callsOf(red: ReadonlyMap<string, number[]>): Map<string, number> {
  return new Map([...red].filter(([k]) => k.startsWith('vigil.red.calls|')).map(([k, v]) => [k.slice('vigil.red.calls|'.length), v[0]!]));
}

/** Open windows checkpointed in Redis under `keyPrefix` (`w|…` fields of the partitions' maps). */
async function savedWindows(keyPrefix: string): Promise<number> {
  const redis = new Redis({ host: '127.0.0.1', port: REDIS_PORT, lazyConnect: true });
  await redis.connect();
  try {
    let n = 0;
    for (const key of await redis.keys(`${keyPrefix}:state:*red_indicators*`)) n += (await redis.hkeys(key)).filter((f) => f.startsWith('w|')).length;
    return n;
  } finally {
    redis.disconnect();
  }
}

/** The data: an hour ago, window-aligned. */
function data(): { t0: number; ticks: Flush[][]; calls: Map<string, number> } {
  const t0 = Math.floor((Date.now() - 3_600_000) / WINDOW_MS) * WINDOW_MS;
  const ticks = flushes(SERVICES, TICKS, t0);
  return { t0, ticks, calls: expectedCalls(ticks) };
}

t.test('kill -9 with windows open, restart: every window as a run without the kill', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-red-crash');
  dropTopicsAtEnd(t, name);
  const dir = tempDir();
  const kafka = kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT);
  const reference = await start(t, 'reference', dir, MEMORY);
  // A long idle timeout: the window open at the kill stays open (and checkpointed) until then.
  const first = await start(t, 'daemon', dir, kafka, '60s');
  const { t0, ticks, calls } = data();
  const toRef = redSender(reference.ports.http, t0);
  const toFirst = redSender(first.ports.http, t0);
  t.teardown(() => Promise.all([toRef.close(), toFirst.close()]));

  let acked = 0;
  for (let i = 0; i < 33; i += 3) if ((await Promise.all([toRef.send(ticks.slice(i, i + 3)), toFirst.send(ticks.slice(i, i + 3))])).every(Boolean)) acked++;
  // Ticks 0–32 reach 66 s, the watermark 56 s (allowed lateness 10 s): windows 0–40 s closed, those of 50 and 60 s open.
  const closedBefore = await waitUntil(() => callsOf(readRed([first.file])).size >= 5 * SERVICES * 2, 30_000, 250);
  t.ok(closedBefore, `windows emitted before the kill (${callsOf(readRed([first.file])).size})`);
  t.ok(await waitUntil(async () => (await savedWindows(name)) >= 2 * SERVICES * 2, 20_000, 100), 'the open windows checkpointed in Redis');
  await first.daemon.stop('SIGKILL');

  const second = await start(t, 'restarted daemon', dir, kafka);
  const toSecond = redSender(second.ports.http, t0);
  t.teardown(() => toSecond.close());
  for (let i = 33; i < TICKS; i += 3) if ((await Promise.all([toRef.send(ticks.slice(i, i + 3)), toSecond.send(ticks.slice(i, i + 3))])).every(Boolean)) acked++;
  t.equal(acked, 20, 'every request acknowledged, before and after the kill');

  const crashed = () => readRed([first.file, second.file]);
  const done = await waitUntil(() => callsOf(readRed([reference.file])).size >= calls.size && callsOf(crashed()).size >= calls.size, 60_000, 500);
  t.ok(done, `every window emitted (reference ${callsOf(readRed([reference.file])).size}, killed and restarted ${callsOf(crashed()).size}, of ${calls.size})`);
  t.equal(await stopDaemon(second.daemon), 0, 'the restarted daemon drains and exits 0');
  t.equal(await stopDaemon(reference.daemon), 0, 'the reference drains and exits 0');

  const ref = readRed([reference.file]);
  t.same([...callsOf(ref)].sort(), [...calls].map(([k, v]) => [k, v]).sort(), 'the reference counts every call of the data, in its window');
  const result = compareRed(crashed(), new Map([...ref].map(([k, v]) => [k, [v[0]!]])));
  t.comment(`${ref.size} indicator points; ${result.duplicates} emitted again around the kill`);
  t.same({ ...result, duplicates: 0 }, { missing: [], unexpected: [], wrong: [], duplicates: 0 }, 'killed and restarted: every indicator of every window equals the reference (a copy emitted twice: same value)');
});

t.test('two daemons on one topic: each service windowed by one daemon, every window once, as one daemon', async (t) => {
  if (!(await services(t))) return;
  const name = uniqueName('it-red-scale');
  dropTopicsAtEnd(t, name);
  const dir = tempDir();
  const kafka = kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT);
  const reference = await start(t, 'reference', dir, MEMORY);
  const daemons = [await start(t, 'a', dir, kafka), await start(t, 'b', dir, kafka)];
  const balanced = await waitUntil(async () => [...(await owners(REDIS_PORT, name, 4)).values()].join() === '2,2', 45_000, 250);
  t.ok(balanced, `the group settled: each daemon owns two of the four partitions (${JSON.stringify([...(await owners(REDIS_PORT, name, 4))])})`);

  const { t0, ticks, calls } = data();
  const toRef = redSender(reference.ports.http, t0);
  const senders = daemons.map((d) => redSender(d.ports.http, t0));
  t.teardown(() => Promise.all([toRef, ...senders].map((s) => s.close())));
  let acked = 0;
  for (let i = 0; i < TICKS; i += 3) {
    // Alternately to each daemon: every service's data reaches both.
    if ((await Promise.all([toRef.send(ticks.slice(i, i + 3)), senders[(i / 3) % 2]!.send(ticks.slice(i, i + 3))])).every(Boolean)) acked++;
  }
  t.equal(acked, 20, 'every request acknowledged');

  const both = () => readRed(daemons.map((d) => d.file));
  const done = await waitUntil(() => callsOf(readRed([reference.file])).size >= calls.size && callsOf(both()).size >= calls.size, 60_000, 500);
  t.ok(done, `every window emitted (reference ${callsOf(readRed([reference.file])).size}, two daemons ${callsOf(both()).size}, of ${calls.size})`);
  for (const d of [...daemons, reference]) t.equal(await stopDaemon(d.daemon), 0, `${d.label} drains and exits 0`);

  const ref = readRed([reference.file]);
  t.same([...callsOf(ref)].sort(), [...calls].sort(), 'the reference counts every call of the data, in its window');
  t.same(compareRed(both(), new Map([...ref].map(([k, v]) => [k, [v[0]!]]))), { missing: [], unexpected: [], wrong: [], duplicates: 0 }, 'together: every indicator once, equal to one daemon\'s');
  const windowedBy = new Map<string, Set<string>>();
  for (const d of daemons) for (const k of readRed([d.file]).keys()) {
    const service = k.split('|')[1]!;
    windowedBy.set(service, (windowedBy.get(service) ?? new Set<string>()).add(d.label));
  }
  t.equal(windowedBy.size, SERVICES, 'every service windowed');
  t.same([...windowedBy].filter(([, by]) => by.size > 1).map(([s]) => s), [], 'each service by one daemon only');
  const shareA = [...windowedBy.values()].filter((by) => by.has('a')).length;
  t.ok(shareA > 0 && shareA < SERVICES, `each daemon owns some of the services (a: ${shareA}, b: ${SERVICES - shareA})`);
});
