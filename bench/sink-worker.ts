/**
 * Runs the counting sink on its own thread of the load generator's process, so decoding the
 * daemon's large forwarded batches never delays the generator's acks (and its latency samples).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CountingSink, SharedCounts, type SinkCounts } from './sink.js';

/** The sink thread as seen from the generator. */
export interface SinkThread {
  port: number;
  counts(): SinkCounts;
  reset(): void;
  stop(): Promise<void>;
}

/** Starts the sink on a worker thread; resolves once it listens. */
export async function startSinkThread(): Promise<SinkThread> {
  const shared = new SharedCounts();
  const worker = new Worker(new URL(import.meta.url), { workerData: { buffer: shared.buffer } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`sink thread exited with ${code}`)));
  });
  return {
    port,
    counts: () => shared.snapshot(),
    reset: () => shared.reset(),
    stop: async () => {
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort) {
  const sink = new CountingSink(new SharedCounts((workerData as { buffer: SharedArrayBuffer }).buffer));
  sink.start(0).then((port) => parentPort!.postMessage({ port }), (err: unknown) => {
    throw err;
  });
}
