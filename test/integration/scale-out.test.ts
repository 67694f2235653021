/**
 * Promise (issue 3, DESIGN "Partitioning"): daemons sharing a consumer group share the work. Two
 * daemons on one Kafka stage log both get partitions; every span of a trace reaches one daemon's
 * exporter, even when the trace's spans were sent half to each daemon; when one daemon stops
 * (SIGTERM) the other takes over its partitions; nothing acknowledged is lost across the two.
 */
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../daemon.js';
import { dropTopicsAtEnd } from '../kafka.js';
import { kafkaAvailable, KAFKA_PORT, requireService } from '../services.js';
import { daemonPorts, duplicates, readSpans, startDaemon, stopDaemon, uniqueName, waitDelivered, type DaemonSpec, type Written } from './harness.js';
import { waitUntil } from '../wait.js';
import { Load, sdkGrpcSender, type LoadShape, type Sender } from './load.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// Every wait below is bounded; their sum, with two daemon starts, stays under this.
t.setTimeout(180_000);

const SHAPE: LoadShape = { tracesPerRequest: 10, spansPerTrace: 4, pauseMs: 20 };

/** Traces (of those in `traceIds`) whose written spans are in more than one file. */
function splitTraces(spans: Map<string, Written>, traceIds: Set<string>): string[] {
  const filesOf = new Map<string, Set<string>>();
  for (const w of spans.values()) {
    if (!traceIds.has(w.traceId)) continue;
    const files = filesOf.get(w.traceId) ?? new Set<string>();
    for (const f of w.files) files.add(f);
    filesOf.set(w.traceId, files);
  }
  return [...filesOf].filter(([, files]) => files.size > 1).map(([id]) => id);
}

t.test('two daemons in one consumer group share partitions, keep traces whole, and take over for each other', async (t) => {
  if (!requireService(t, `Kafka (localhost:${KAFKA_PORT})`, await kafkaAvailable())) return;
  const dir = tempDir();
  const name = uniqueName('it-scale');
  dropTopicsAtEnd(t, name);
  const common = { brokers: [`localhost:${KAFKA_PORT}`], topicPrefix: name, groupId: name };
  const specA: DaemonSpec = { ...common, ports: await daemonPorts(), file: join(dir, 'a.jsonl') };
  const specB: DaemonSpec = { ...common, ports: await daemonPorts(), file: join(dir, 'b.jsonl') };
  const files = [specA.file, specB.file];
  const a = await startDaemon(t, 'daemon A', specA);
  const b = await startDaemon(t, 'daemon B', specB);
  const toA = (): Sender => sdkGrpcSender(specA.ports.grpc, 'A', 2000);
  const toB = (): Sender => sdkGrpcSender(specB.ports.grpc, 'B', 2000);
  const loads: Load[] = [];
  const run = (routes: Sender[][], shape = SHAPE): Load => {
    const load = new Load(routes, shape);
    loads.push(load);
    return load;
  };
  t.teardown(async () => {
    for (const l of loads) await l.stop().then(() => l.close());
  });
  const nonEmpty = (file: string): boolean => readSpans([file]).spans.size > 0;

  // Warm-up: until both daemons consume, i.e. the group has settled with partitions on both.
  const warm = run([[toA(), toA()], [toB(), toB()]], { ...SHAPE, tracesPerRequest: 2, pauseMs: 100 });
  const shared = await waitUntil(() => nonEmpty(specA.file) && nonEmpty(specB.file), 20_000, 500);
  await warm.stop();
  t.ok(shared, `both daemons were given partitions: both files have spans (A: ${readSpans([specA.file]).spans.size}, B: ${readSpans([specB.file]).spans.size})`);
  if (!shared) return;
  await sleep(1000);

  // Phase 1: each trace's spans split over both daemons' receivers.
  const split = run([[toA(), toA()], [toB(), toB()]]);
  await sleep(3000);
  await split.stop();
  const p1 = await waitDelivered([...warm.acked.keys(), ...split.acked.keys()], files, 20_000);
  t.equal(p1.lost.length, 0, `phase 1: every acknowledged span was written (lost ${p1.lost.length} of ${warm.ackedCount + split.ackedCount})`);
  const p1Traces = new Set([...split.acked.values()].map((s) => s.traceId));
  const inA = [...split.acked.keys()].filter((id) => p1.spans.get(id)?.files.has(specA.file)).length;
  const inB = [...split.acked.keys()].filter((id) => p1.spans.get(id)?.files.has(specB.file)).length;
  t.ok(inA > 0 && inB > 0, `both daemons exported a share of the ${split.ackedCount} phase-1 spans (A: ${inA}, B: ${inB})`);
  const broken = splitTraces(p1.spans, p1Traces);
  t.equal(broken.length, 0, `every one of ${p1Traces.size} traces is in one daemon's file only (split: ${broken.length}, e.g. ${broken.slice(0, 3).join(', ')})`);

  // Phase 2: A stops under load; B takes over A's partitions and all later traffic arrives.
  const during = run([[toA(), toA()], [toB(), toB()]]);
  await sleep(1500);
  const codeA = await stopDaemon(a, 'SIGTERM', 20_000);
  await during.stop();
  t.equal(codeA, 0, 'A drains and exits 0 on SIGTERM');
  const after = run([[toB(), toB(), toB(), toB()]], { ...SHAPE, tracesPerRequest: 5 });
  const accepting = await waitUntil(() => after.ackedCount >= 2000, 15_000);
  await after.stop();
  t.ok(accepting, `B alone acknowledged ${after.ackedCount} spans after A left (${after.summary()})`);
  const all = loads.flatMap((l) => [...l.acked.keys()]);
  const p2 = await waitDelivered(all, files, 30_000);
  const afterInB = [...after.acked.keys()].filter((id) => p2.spans.get(id)?.files.has(specB.file)).length;
  t.equal(afterInB, after.ackedCount, `B took over A's partitions: all ${after.ackedCount} spans acknowledged after A left are in B's file (${afterInB})`);
  t.equal(p2.lost.length, 0, `nothing acknowledged is lost across the two files (lost ${p2.lost.length} of ${all.length}, e.g. ${p2.lost.slice(0, 3).join(', ')})`);
  t.comment(`spans acknowledged: ${all.length}; written: ${p2.spans.size} distinct, ${duplicates(p2.spans)} duplicates; all in the files ${p2.ms} ms after the load stopped; ` +
    `phase 1 share A/B: ${inA}/${inB}; during A's stop: ${during.summary()}`);
  t.equal(await stopDaemon(b, 'SIGTERM', 20_000), 0, 'B drains and exits 0');
});
