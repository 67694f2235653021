/**
 * The messages between the benchmark and its load generator process, and the parent-side handle
 * that forks the generator and turns those messages into promises.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PhaseResult, PhaseSpec } from './phase.js';
import type { SinkCounts } from './sink.js';

/** Benchmark → generator. */
export type ToChild =
  | { type: 'phase'; id: number; spec: PhaseSpec }
  | { type: 'sink'; id: number }
  | { type: 'reset'; id: number }
  | { type: 'stop' };

/** Generator → benchmark. */
export type ToParent =
  | { type: 'ready'; sinkPort: number; spansPerRequest: number; requestBytes: number }
  | { type: 'mark'; id: number; mark: 'start' | 'end'; sink: SinkCounts }
  | { type: 'result'; id: number; result: PhaseResult; sink: SinkCounts }
  | { type: 'failed'; id: number; message: string }
  | { type: 'sink'; id: number; sink: SinkCounts };

const LOADGEN = fileURLToPath(new URL('./loadgen.js', import.meta.url));
const PHASE_GRACE_MS = 30_000;

/** The running load generator process. */
export class LoadGen {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (m: ToParent) => void; reject: (e: Error) => void }>();
  private readonly markHooks = new Map<number, (mark: 'start' | 'end', sink: SinkCounts) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly sinkPort: number,
    readonly spansPerRequest: number,
    readonly requestBytes: number,
  ) {
    child.on('message', (m: ToParent) => this.dispatch(m));
    child.once('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`load generator exited with ${code}`));
      this.waiting.clear();
    });
  }

  /** Forks the generator and waits for its sink to listen. */
  static async start(env: NodeJS.ProcessEnv = {}): Promise<LoadGen> {
    const child = fork(LOADGEN, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<Extract<ToParent, { type: 'ready' }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('load generator did not start in 15 s')), 15_000);
      child.once('message', (m: ToParent) => { clearTimeout(timer); if (m.type === 'ready') resolve(m); else reject(new Error(`unexpected ${m.type}`)); });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`load generator exited with ${code}`)); });
    });
    return new LoadGen(child, ready.sinkPort, ready.spansPerRequest, ready.requestBytes);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Runs one phase; `onMark` is called when its steady window starts and ends. */
  async phase(spec: PhaseSpec, onMark?: (mark: 'start' | 'end', sink: SinkCounts) => void): Promise<{ result: PhaseResult; sink: SinkCounts }> {
    const id = this.nextId++;
    if (onMark) this.markHooks.set(id, onMark);
    try {
      const m = await this.request({ type: 'phase', id, spec }, spec.warmupMs + spec.durationMs + PHASE_GRACE_MS);
      if (m.type !== 'result') throw new Error(m.type === 'failed' ? m.message : `unexpected ${m.type}`);
      return { result: m.result, sink: m.sink };
    } finally {
      this.markHooks.delete(id);
    }
  }

  /** The sink's running totals. */
  async sink(): Promise<SinkCounts> {
    const m = await this.request({ type: 'sink', id: this.nextId++ }, 5000);
    return (m as Extract<ToParent, { type: 'sink' }>).sink;
  }

  /** Zeroes the sink's totals (between daemons). */
  async resetSink(): Promise<void> {
    await this.request({ type: 'reset', id: this.nextId++ }, 5000);
  }

  /** Asks the generator to leave; kills it if it has not within a second. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToChild);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }

  private request(m: Exclude<ToChild, { type: 'stop' }>, timeoutMs: number): Promise<ToParent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting.delete(m.id); reject(new Error(`load generator: no answer to ${m.type} in ${timeoutMs} ms`)); }, timeoutMs);
      this.waiting.set(m.id, {
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.child.send(m);
    });
  }

  private dispatch(m: ToParent): void {
    if (m.type === 'ready') return;
    if (m.type === 'mark') {
      this.markHooks.get(m.id)?.(m.mark, m.sink);
      return;
    }
    const w = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    w?.resolve(m);
  }
}
