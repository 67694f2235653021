/**
 * Promise (issue 9): `kill -9` while a stateful processor holds data loses nothing acknowledged.
 * The example window_sum processor holds each record until the windows it fed were emitted or
 * checkpointed to Redis; the Kafka offset commit never passes a held record. The daemon is killed
 * with windows open, restarted with the same config, and the rest of the data is sent: every
 * window is emitted with the sum and count of every acknowledged point (a window may be emitted
 * twice around the crash, with the same values: at least once).
 */
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../daemon.js';
import { compare, exampleYaml, expectedWindows, kafkaWithRedis, readWindows, sender, sendUntilAcked, VIGIL_EXAMPLE, type Point } from '../example-processor/e2e-support.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, redisAvailable, REDIS_PORT, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { daemonPorts, startDaemonWith, stopDaemon, uniqueName } from './harness.js';

t.setTimeout(120_000);
const WINDOW_MS = 5_000;

t.test('kill -9 with windows open, restart: every acknowledged point is in its window', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  if (!requireService(t, `Redis (localhost:${REDIS_PORT})`, await redisAvailable())) return;
  const name = uniqueName('it-wsum-crash');
  dropTopicsAtEnd(t, name);
  const ports = await daemonPorts();
  const file = join(tempDir(), 'windows.jsonl');
  // A long idle timeout: the open windows stay open (held) until the kill.
  const yaml = exampleYaml({ ...ports, file, window: '5s', idleTimeout: '60s', ...kafkaWithRedis(name, KAFKA_PORT, REDIS_PORT) });
  const first = await startDaemonWith(t, 'daemon', yaml, ports.health, VIGIL_EXAMPLE);

  const t0 = Math.floor((Date.now() - 86_400_000) / 60_000) * 60_000;
  const series = Array.from({ length: 50 }, (_, i) => `series-${i}`);
  const ticks = Array.from({ length: 60 }, (_, i) => series.map((s, j): Point => ({ series: s, value: i + j / 100, atMs: t0 + i * 1000 + 3 })));
  const s = sender(ports.http);
  t.teardown(() => s.close());
  let acked = 0;
  for (const tick of ticks.slice(0, 32)) if (await sendUntilAcked(s, tick)) acked++;
  const someEmitted = await waitUntil(() => readWindows(file).length >= 5 * series.length, 15_000);
  t.ok(someEmitted, `windows before the crash emitted (${readWindows(file).length})`);
  await new Promise((r) => setTimeout(r, 500)); // a checkpoint or two of the open windows
  const before = readWindows(file).length;
  await first.stop('SIGKILL');

  const second = await startDaemonWith(t, 'restarted daemon', yaml.replace('idle_timeout: 60s', 'idle_timeout: 1s'), ports.health, VIGIL_EXAMPLE);
  for (const tick of ticks.slice(32)) if (await sendUntilAcked(s, tick)) acked++;
  t.equal(acked, ticks.length, 'every request acknowledged, before and after the crash');

  const want = expectedWindows(ticks.flat(), WINDOW_MS);
  const done = await waitUntil(() => new Set(readWindows(file).map((w) => w.key)).size >= want.size, 40_000);
  t.ok(done, `every window emitted (${new Set(readWindows(file).map((w) => w.key)).size} of ${want.size})`);
  t.equal(await stopDaemon(second), 0, 'the restarted daemon drains and exits 0');
  const result = compare(readWindows(file), want);
  t.comment(`${before} windows emitted before the kill; ${result.duplicates} emitted again after it`);
  t.same({ missing: result.missing, wrong: result.wrong }, { missing: [], wrong: [] }, 'no window missing; every one has the sum and count of every acknowledged point');
});
