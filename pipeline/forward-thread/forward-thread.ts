/**
 * The main thread's handle on the forwarding thread of a Kafka-queue daemon: starts the worker,
 * keeps its last not-ready reasons (health checks are synchronous), fetches its self-metrics for
 * each scrape, reads its state store for the main thread, and has it drain at shutdown. If the worker dies on its own, `onDeath` is told: the
 * daemon then stops (what the main thread acknowledged is in Kafka, so stopping loses nothing).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { UnavailableError } from '../errors.js';
import type { Forwarder } from '../service.js';
import type { FromForwarder, MetricsJson, StateRead, StateReadAnswer, ToForwarder } from './messages.js';

/** A scrape does not wait longer than this for the forwarding thread's metrics. */
const METRICS_TIMEOUT_MS = 2000;
/** A state read fails (retryably) when the forwarding thread does not answer within this; as the Redis store's command timeout. */
const STATE_READ_TIMEOUT_MS = 2000;
/** After the drain deadline, how long the worker may take to say it stopped before it is terminated. */
const STOP_GRACE_MS = 2000;

/** The forwarding side, running `script` in a worker thread. */
export class ForwardThread implements Forwarder {
  private worker: Worker | undefined;
  private reasons: string[] = ['forwarding thread not started'];
  private running = false;
  private stopping = false;
  private nextId = 0;
  private readonly metricsWaiting = new Map<number, (m: MetricsJson) => void>();
  private readonly readsWaiting = new Map<number, (a: StateReadAnswer) => void>();
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

  private post(m: ToForwarder): void {
    this.worker?.postMessage(m);
  }
}
