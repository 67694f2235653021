/**
 * Promise (issue 3, DESIGN "Delivery and state"): Kafka going away is an outage, not a crash. With
 * the broker stopped under load the receivers answer retryably (HTTP 503/429 with Retry-After, gRPC
 * UNAVAILABLE) and the health check says 503; once the broker is back the daemon recovers by itself,
 * and every span a client got OK for — before, during and after — reaches the file exporter.
 * Runs against a private broker of its own, never the shared one.
 */
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../daemon.js';
import { kafkaAvailable, KAFKA_PORT, PrivateBroker, requireService } from '../services.js';
import { daemonPorts, duplicates, healthStatus, startDaemon, stopDaemon, uniqueName, waitDelivered, type DaemonSpec } from './harness.js';
import { waitUntil } from '../wait.js';
import { Load, rawGrpcSender, rawHttpSender } from './load.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// Longer than the 10 s a client waits by default, so that requests waiting for Kafka must be answered.
const OUTAGE_MS = 12_000;
// The OTLP SDK exporters' default timeout (OTEL_EXPORTER_OTLP_TIMEOUT): an answer that comes later is never heard.
const CLIENT_TIMEOUT_MS = 10_000;

// Every wait below is bounded (the broker's start and stop too); their sum stays under this.
t.setTimeout(180_000);

t.test('Kafka stopped and started under load: retryable answers meanwhile, recovery on its own, nothing acknowledged lost', async (t) => {
  // The shared broker being up says this machine has Java and the broker's jars.
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  const broker = await PrivateBroker.start(t);
  t.teardown(() => {
    if (!t.passing()) process.stderr.write(`\n===== ${t.name}: private broker ${broker.address} =====\n${broker.logTail()}\n`);
  });
  const file = join(tempDir(), 'traces.jsonl');
  const name = uniqueName('it-broker');
  const spec: DaemonSpec = { ports: await daemonPorts(), brokers: [broker.address], topicPrefix: name, groupId: name, file };
  const daemon = await startDaemon(t, 'daemon', spec);
  let exitedEarly: number | null | undefined;
  void daemon.exited.then((code) => (exitedEarly = code));

  // Plain clients, so that the status codes the SDK exporters would retry away are seen and counted.
  const { grpc, http } = spec.ports;
  const senders = () => [rawHttpSender(http, 'http', CLIENT_TIMEOUT_MS), rawGrpcSender(grpc, 'grpc', CLIENT_TIMEOUT_MS)];
  const load = new Load([[...senders(), ...senders()]],
    { tracesPerRequest: 10, spansPerTrace: 4, pauseMs: 20, backoffMs: 250 });
  t.teardown(async () => {
    await load.stop();
    await load.close();
  });
  const loaded = await waitUntil(() => load.ackedCount >= 1000, 15_000);
  t.ok(loaded, `the daemon acknowledged spans under load (${load.ackedCount}; ${load.summary()})`);
  if (!loaded) return;

  // Watch the health check throughout.
  const health: Array<{ at: number; status: number }> = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      health.push({ at: Date.now(), status: await healthStatus(spec.ports.health) });
      await sleep(200);
    }
  })();

  const stopAt = Date.now();
  await broker.stop();
  const stoppedAt = Date.now();
  await sleep(OUTAGE_MS);
  await broker.startAgain();
  const startedAt = Date.now();
  const healthy = await waitUntil(async () => (await healthStatus(spec.ports.health)) === 200, 30_000, 200);
  const healthyAt = Date.now();
  t.ok(healthy, `health is back to 200 on its own, ${healthyAt - startedAt} ms after the broker answered`);
  const ackedAfter = (): number => [...load.acked.values()].filter((a) => a.at > healthyAt).length;
  const accepting = await waitUntil(() => ackedAfter() >= 1000, 20_000);
  t.ok(accepting, `new spans are acknowledged after recovery (${ackedAfter()})`);
  await load.stop();
  watching = false;
  await watcher;

  const outage = load.refusals.filter((r) => r.at >= stopAt);
  const retryable = outage.filter((r) => r.kind === 'retryable');
  const timeouts = load.refusals.filter((r) => r.kind === 'timeout');
  const errors = load.refusals.filter((r) => r.kind === 'error');
  const unhealthy = health.filter((h) => h.at >= stoppedAt && h.at <= healthyAt && h.status === 503).length;
  t.ok(retryable.length > 0, `clients were told to retry while Kafka was away (${retryable.length} retryable answers: ${[...new Set(retryable.map((r) => r.detail))].join(', ')})`);
  t.equal(errors.length, 0, `no answer was a non-retryable error (${errors.slice(0, 5).map((e) => e.detail).join('; ')})`);
  t.ok(unhealthy > 0, `the health check said 503 while Kafka was away (${unhealthy} of ${health.length} probes)`);
  t.equal(exitedEarly, undefined, 'the daemon kept running through the outage');

  const result = await waitDelivered(load.acked.keys(), [file], 30_000);
  t.comment(`broker stopped in ${stoppedAt - stopAt} ms, down ${startedAt - stoppedAt} ms, daemon healthy ${healthyAt - startedAt} ms after it was back; ` +
    `acked ${load.ackedCount} spans; ${retryable.length} retryable answers and ${timeouts.length} client timeouts during the outage; ` +
    `all acknowledged spans in the file ${result.lost.length === 0 ? `${result.ms} ms after the load stopped` : 'NEVER'}; ${duplicates(result.spans)} duplicates; outcomes: ${load.summary()}`);
  t.equal(result.lost.length, 0, `every acknowledged span is in the file (lost ${result.lost.length} of ${load.ackedCount}, e.g. ${result.lost.slice(0, 3).join(', ')})`);
  t.equal(await stopDaemon(daemon, 'SIGTERM', 20_000), 0, 'the daemon drains and exits 0');
});
