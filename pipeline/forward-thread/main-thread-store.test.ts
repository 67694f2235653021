/**
 * A real Kafka-queue daemon's two threads, in this process: the main thread (ingest side, where
 * extensions serve HTTP) reads what the forwarding thread checkpoints — the memory store over the
 * threads' message port, Redis through a client of its own. Needs Kafka on localhost:9092 (and Redis
 * on localhost:6379 for the second test).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { FACTORIES } from '../../cmd/components.js';
import { loadConfig } from '../../config/index.js';
import { freePort, tempDir } from '../../test/daemon.js';
import { dropTopicsAtEnd, eventually } from '../../test/kafka.js';
import { kafkaAvailable, redisAvailable, requireService } from '../../test/services.js';
import { toPortable } from './portable-config.js';
import { Service } from '../service.js';
import { ownershipKey } from '../state/ownership.js';
import { ForwardThread } from './forward-thread.js';
import type { ForwardWorkerData } from './messages.js';

const WORKER = new URL('../../cmd/forward-worker.js', import.meta.url);
const logger = pino({ level: process.env.VIGIL_TEST_LOG ?? 'silent' });

/** The main thread of a Kafka-queue daemon with `state`, its forwarding thread running; both stopped when `t` ends. */
async function daemon(t: Test, state: string): Promise<Service> {
  const prefix = `vigil-test-${randomUUID().slice(0, 8)}`;
  dropTopicsAtEnd(t, prefix);
  const dir = tempDir();
  const file = join(dir, 'config.yaml');
  writeFileSync(file, `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${await freePort()} } } }
exporters:
  file: { path: ${join(dir, 'out.jsonl')} }
service:
  telemetry: { metrics: { level: none } }
  queue: { type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${prefix}, group_id: ${prefix}, partitions: 2, replication_factor: 1, session_timeout: 6s } }
  state: ${state}
  pipelines:
    traces: { receivers: [otlp], exporters: [file] }
`);
  const { config, errors } = loadConfig({ files: [file], factories: FACTORIES, env: {} });
  if (!config) throw new Error(errors.map(String).join('\n'));
  const data: ForwardWorkerData = { config: toPortable(config), registry: new URL('../../cmd/components.js', import.meta.url).href };
  const forwarder = new ForwardThread(WORKER, data, logger, (reason) => t.fail(reason));
  const svc = await Service.create(config, logger, { role: 'ingest', forwarder });
  await svc.start();
  t.teardown(() => svc.shutdown());
  return svc;
}

/** Waits until the forwarding thread checkpointed its ownership of both partitions, read from the main thread. */
async function ownershipSeen(t: Test, svc: Service): Promise<void> {
  const store = svc.stateStore();
  const both = await eventually(async () => (await store.get(ownershipKey('traces.ingest', 0))) !== undefined && (await store.get(ownershipKey('traces.ingest', 1))) !== undefined, 30_000);
  t.ok(both, 'the main thread reads the ownership the forwarding thread checkpointed');
  const record = JSON.parse(Buffer.from((await store.get(ownershipKey('traces.ingest', 0)))!).toString('utf8')) as unknown;
  t.match(record, { log: 'traces.ingest', partition: 0, state: 'owned' });
  const keys = await store.list(ownershipKey('traces.ingest', 0).replace(/0$/, ''));
  t.same(keys.sort(), [ownershipKey('traces.ingest', 0), ownershipKey('traces.ingest', 1)], 'list too');
  await t.rejects(store.put(ownershipKey('traces.ingest', 0), 'stolen'), { name: 'PermanentError', message: /read-only/ }, 'the main thread cannot write');
}

t.test('memory state: read over the message port from the forwarding thread', async (t) => {
  if (!requireService(t, 'kafka', await kafkaAvailable())) return;
  const svc = await daemon(t, '{ type: memory }');
  await ownershipSeen(t, svc);
});

t.test('redis state: read through the main thread\'s own client', async (t) => {
  if (!requireService(t, 'kafka', await kafkaAvailable()) || !requireService(t, 'redis', await redisAvailable())) return;
  const svc = await daemon(t, `{ type: redis, redis: { endpoint: localhost:6379, key_prefix: vigil-test-${randomUUID().slice(0, 8)} } }`);
  await ownershipSeen(t, svc);
});
