/**
 * A stand-in forwarding thread for forward-thread.test: the real protocol (serveForwarding) around
 * a scripted service with a memory state store holding a few keys, and a memory log of 10 bytes
 * whose consumer writes each record into the store (`delivered/<partition>/<offset>`) and holds it.
 * `workerData.mode`: `ok`, `fail-start`, or `die` (exits on its own once started).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { MemoryLog } from '../memory-log.js';
import { MemoryStore } from '../state/memory-store.js';
import { SelfMetrics } from '../telemetry.js';
import { serveForwarding, type ForwardService } from './serve.js';

const mode = (workerData as { mode: 'ok' | 'fail-start' | 'die' }).mode;
const metrics = new SelfMetrics();
metrics.kafkaConsumed.inc({ consumer: 'traces.ingest', topic: 't' }, 7);
let state = 'starting';
// What a processor would have checkpointed on this thread.
const store = new MemoryStore();
await store.start();
await store.put('baseline/traces.ingest/0/checkout', 'p50=12ms');
await store.put('baseline/traces.ingest/1/cart', 'p50=3ms');
await store.put('alerts/metrics.ingest/0/high_latency', 'firing');
const log = new MemoryLog('traces.ingest', { maxSizeBytes: 10, partitions: 2 }, metrics, pino({ level: 'silent' }));
const service: ForwardService = {
  metrics,
  stateStore: () => store,
  stageLogs: () => [log],
  async start() {
    if (mode === 'fail-start') throw new Error('cannot reach the brokers');
    await log.consume(async (payload, delivery) => {
      delivery.hold();
      await store.put(`delivered/${delivery.partition}/${delivery.offset}`, payload.bytes);
    });
    state = 'running';
    if (mode === 'die') setTimeout(() => process.exit(3), 100);
  },
  notReadyReasons: () => (state === 'running' ? ['redis localhost:6379 unreachable'] : [`service is ${state}`]),
  async shutdown(deadline = Date.now()) {
    state = 'stopped';
    await store.close();
    return deadline > Date.now() ? [] : [new Error('deadline already passed')];
  },
};
await serveForwarding(parentPort!, service);
