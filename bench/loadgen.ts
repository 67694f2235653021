/**
 * The load generator process (forked by the benchmark, never imported): it holds the pre-encoded
 * request ring, runs phases on command, and hosts (on a worker thread) the counting sink the daemon forwards to, so
 * that none of this competes with the benchmark's own bookkeeping. Speaks the messages of ./ipc.
 */
import { runPhase } from './phase.js';
import { makeChainSource } from './chain-requests.js';
import { makeRequestRing, type RequestRing } from './requests.js';
import { startSinkThread } from './sink-worker.js';
import type { ToChild, ToParent } from './ipc.js';

const send = (m: ToParent): void => {
  process.send?.(m);
};

async function main(): Promise<void> {
  if (!process.send) throw new Error('loadgen.js must be started with an IPC channel (child_process.fork)');
  const ring = makeRequestRing(Number(process.env.BENCH_RING ?? 16), Number(process.env.BENCH_SPANS ?? 512));
  const sink = await startSinkThread();
  const snapshot = () => sink.counts();
  // Built on first use: the chain scenarios' fresh whole traces.
  let chain: RequestRing | undefined;
  const source = (spec: { requests?: 'ring' | 'chain' }): RequestRing => {
    if (spec.requests !== 'chain') return ring;
    if (!chain) {
      const c = makeChainSource();
      chain = { requests: [], spansPerRequest: c.spansPerRequest, next: () => c.next() };
    }
    return chain;
  };

  process.on('message', (m: ToChild) => {
    switch (m.type) {
      case 'phase':
        runPhase(m.spec, source(m.spec), (mark) => send({ type: 'mark', id: m.id, mark, sink: snapshot() })).then(
          (result) => send({ type: 'result', id: m.id, result, sink: snapshot() }),
          (err: unknown) => send({ type: 'failed', id: m.id, message: String(err) }),
        );
        break;
      case 'sink':
        send({ type: 'sink', id: m.id, sink: snapshot() });
        break;
      case 'reset':
        sink.reset();
        send({ type: 'sink', id: m.id, sink: snapshot() });
        break;
      case 'stop':
        void sink.stop().then(() => process.disconnect());
        break;
    }
  });
  // Orphaned (the benchmark died): leave rather than keep a port open.
  process.once('disconnect', () => setTimeout(() => process.exit(0), 100).unref());
  send({ type: 'ready', sinkPort: sink.port, spansPerRequest: ring.spansPerRequest, requestBytes: ring.requests[0]!.length });
}

main().catch((err: unknown) => {
  process.stderr.write(`loadgen: ${String(err)}\n`);
  process.exit(1);
});
