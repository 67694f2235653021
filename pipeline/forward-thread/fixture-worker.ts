/**
 * A stand-in forwarding thread for forward-thread.test: the real protocol (serveForwarding) around
 * a scripted service. `workerData.mode`: `ok`, `fail-start`, or `die` (exits on its own once started).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SelfMetrics } from '../telemetry.js';
import { serveForwarding, type ForwardService } from './serve.js';

const mode = (workerData as { mode: 'ok' | 'fail-start' | 'die' }).mode;
const metrics = new SelfMetrics();
metrics.kafkaConsumed.inc({ consumer: 'traces.ingest', topic: 't' }, 7);
let state = 'starting';
const service: ForwardService = {
  metrics,
  async start() {
    if (mode === 'fail-start') throw new Error('cannot reach the brokers');
    state = 'running';
    if (mode === 'die') setTimeout(() => process.exit(3), 100);
  },
  notReadyReasons: () => (state === 'running' ? ['redis localhost:6379 unreachable'] : [`service is ${state}`]),
  async shutdown(deadline = Date.now()) {
    state = 'stopped';
    return deadline > Date.now() ? [] : [new Error('deadline already passed')];
  },
};
await serveForwarding(parentPort!, service);
