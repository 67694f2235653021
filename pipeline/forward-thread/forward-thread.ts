/**
 * The main thread's handle on the forwarding thread: starts the worker, keeps its last not-ready
 * reasons (health checks are synchronous), fetches its self-metrics for each scrape, reads its state
 * store for the main thread, relays appends to its memory logs (./relay-log), and has it drain at
 * shutdown. If the worker dies on its own, `onDeath` is told and the daemon stops: on the Kafka
 * queue what the main thread acknowledged is in Kafka, so stopping loses nothing; on the memory
 * queue what the thread held is lost, as a crash of a one-thread daemon loses it.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Signal } from '../../pdata/payload.js';
import { UnavailableError } from '../errors.js';
import type { Forwarder } from '../service.js';
import type { AppendPart, AppendRefusal, FromForwarder, MetricsJson, StateRead, StateReadAnswer, ToForwarder } from './messages.js';
import type { AppendChannel } from './relay-log.js';

/** A scrape does not wait longer than this for the forwarding thread's metrics. */
const METRICS_TIMEOUT_MS = 2000;
/** A state read fails (retryably) when the forwarding thread does not answer within this; as the Redis store's command timeout. */
const STATE_READ_TIMEOUT_MS = 2000;
/** After the drain deadline, how long the worker may take to say it stopped before it is terminated. */
const STOP_GRACE_MS = 2000;

/**
 * The forwarding thread's young-generation semi-space (MiB). The main thread keeps the command's
 * 4 MiB (cmd/vigil.ts: its garbage is request bytes that die at once). The forwarding thread's is
 * not: processors hold records for seconds (tail_sampling's decision_wait) and build objects per
 * span and trace that outlive a 4 MiB nursery's few milliseconds, so they were copied and promoted
 * at every scavenge. Measured on the analytics chain (npm run bench -- --only chain, one thread,
 * 2026-11-28): 20.5 / 20.8 CPU-s per M spans at 4 MiB, 16.4 / 16.5 at 16 MiB.
 */
export const FORWARD_SEMI_SPACE_MIB = 16;

/** The forwarding thread's answer to an append: its log's size after it, and the refusal if there was one. */
type AppendAnswer = { logBytes: number; refused?: AppendRefusal };

/** The forwarding side, running `script` in a worker thread. */
export class ForwardThread implements Forwarder, AppendChannel {
  private worker: Worker | undefined;
  private reasons: string[] = ['forwarding thread not started'];
  private running = false;
  private stopping = false;
  private nextId = 0;
  private readonly metricsWaiting = new Map<number, (m: MetricsJson) => void>();
  private readonly readsWaiting = new Map<number, (a: StateReadAnswer) => void>();
  private readonly appendsWaiting = new Map<number, (a: AppendAnswer) => void>();
  /** Each memory log's size as the thread last reported it. */
  private readonly sizes = new Map<string, number>();
  private stopped: ((errors: string[]) => void) | undefined;
  private readonly exited: Promise<number>;
  private markExited!: (code: number) => void;

  constructor(
    private readonly script: URL,
    /** Given to the script as its `workerData` (cmd/forward-worker takes a ForwardWorkerData). */
    private readonly data: unknown,
    private readonly logger: Logger,
    private readonly onDeath: (reason: string) => void,
  ) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  start(): Promise<void> {
    this.reasons = ['forwarding thread is starting'];
    // A new isolate sizes its heap from the V8 flags as they are when it is created; the main
    // thread's heap keeps the size it started with.
    setFlagsFromString(`--max-semi-space-size=${FORWARD_SEMI_SPACE_MIB}`);
    const worker = new Worker(this.script, { workerData: this.data });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromForwarder) => {
        switch (m.type) {
          case 'started':
            this.running = true;
            resolve();
            break;
          case 'start-failed':
            reject(new Error(`forwarding thread: ${m.error}`));
            void worker.terminate();
            break;
          case 'ready':
            this.reasons = m.reasons;
            for (const [log, bytes] of Object.entries(m.logBytes)) this.sizes.set(log, bytes);
            break;
          case 'appended':
            this.sizes.set(m.log, m.logBytes);
            this.appendsWaiting.get(m.id)?.(m);
            this.appendsWaiting.delete(m.id);
            break;
          case 'metrics':
            this.metricsWaiting.get(m.id)?.(m.metrics);
            this.metricsWaiting.delete(m.id);
            break;
          case 'state-read':
            this.readsWaiting.get(m.id)?.(m.answer);
            break;
          case 'stopped':
            this.stopped?.(m.errors);
            break;
        }
      });
      worker.on('error', (err) => this.logger.error({ err: err.message, stack: err.stack }, 'forwarding thread failed'));
      worker.once('exit', (code) => {
        const reason = `forwarding thread exited with code ${code}`;
        this.reasons = [reason];
        for (const answer of this.metricsWaiting.values()) answer([]);
        this.metricsWaiting.clear();
        for (const answer of this.readsWaiting.values()) answer({ error: reason, retryable: true });
        for (const answer of this.appendsWaiting.values()) answer({ logBytes: 0, refused: { name: 'UnavailableError', message: reason } });
        this.appendsWaiting.clear();
        this.stopped?.([reason]);
        this.markExited(code);
        reject(new Error(reason)); // no effect once started
        if (this.running && !this.stopping) this.onDeath(reason);
        this.running = false;
      });
    });
  }

  notReadyReasons(): string[] {
    return this.reasons;
  }

  /** Asks the worker to drain by `deadline`, waits for it (and a little grace), then ends the thread. */
  async shutdown(deadline: number): Promise<Error[]> {
    const worker = this.worker;
    if (!worker || !this.running || this.stopping) return [];
    this.stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const errors = await new Promise<string[]>((resolve) => {
      this.stopped = resolve;
      timer = setTimeout(() => resolve([`forwarding thread did not stop by the deadline; terminated`]), Math.max(0, deadline - Date.now()) + STOP_GRACE_MS);
      this.post({ type: 'shutdown', deadline });
    });
    clearTimeout(timer);
    await worker.terminate();
    await this.exited;
    return errors.map((e) => new Error(e));
  }

  /** The worker's registry as JSON; empty when it is not running or does not answer in time. */
  metrics(): Promise<MetricsJson> {
    if (!this.running) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.metricsWaiting.delete(id);
        resolve([]);
      }, METRICS_TIMEOUT_MS);
      this.metricsWaiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.post({ type: 'metrics', id });
    });
  }

  /** Reads the forwarding thread's state store; an UnavailableError when it is not running or does not answer in time. */
  readState(read: StateRead): Promise<StateReadAnswer> {
    if (!this.running) return Promise.reject(new UnavailableError('state store: the forwarding thread is not running'));
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => answer({ error: `state store: the forwarding thread did not answer within ${STATE_READ_TIMEOUT_MS} ms`, retryable: true }), STATE_READ_TIMEOUT_MS);
      const answer = (a: StateReadAnswer): void => {
        clearTimeout(timer);
        this.readsWaiting.delete(id);
        resolve(a);
      };
      this.readsWaiting.set(id, answer);
      this.post({ type: 'state-read', id, read });
    });
  }

  /** Hands records to a memory log of the thread (transferring `bytes`); resolves with its answer. */
  append(log: string, signal: Signal, bytes: ArrayBuffer, parts: readonly AppendPart[]): Promise<AppendAnswer> {
    if (!this.running) return Promise.resolve({ logBytes: 0, refused: { name: 'UnavailableError', message: 'the forwarding thread is not running' } });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.appendsWaiting.set(id, resolve);
      this.worker!.postMessage({ type: 'append', id, log, signal, bytes, parts } satisfies ToForwarder, [bytes]);
    });
  }

  logBytes(log: string): number {
    return this.sizes.get(log) ?? 0;
  }

  private post(m: ToForwarder): void {
    this.worker?.postMessage(m);
  }
}
