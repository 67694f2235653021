/**
 * The sending machinery every network exporter shares (otelcol's exporterhelper): a bounded sending
 * queue, a per-attempt timeout, retries with exponential backoff, jitter and server throttle hints,
 * and sent/failed metrics. Unlike otelcol, `consume` resolves only once the data was sent: the stage
 * log before the exporter is vigil's durable queue, so acknowledging earlier could lose data.
 */
import type { CreateSettings } from '../../pipeline/component.js';
import { PermanentError, QueueFullError, RetryableError, ShuttingDownError, UnavailableError, isPermanent, messageOf } from '../../pipeline/errors.js';
import type { Payload } from '../../pdata/payload.js';
import { Backoff } from '../../pipeline/backoff.js';
import { BurstLog } from '../../pipeline/burst-log.js';
import { backoffOf, type QueueConfig, type RetryConfig } from './config.js';

/** What a send reports besides success: items the destination rejected (OTLP partial success). */
export interface SendResult {
  rejected?: number;
  message?: string;
}

/**
 * Sends one payload once. MUST stop when `signal` aborts. Rejects with a PermanentError when the
 * data can never be delivered, with a RetryableError (optionally with `retryAfterMs`) otherwise.
 */
export type SendFn = (payload: Payload, signal: AbortSignal) => Promise<SendResult | void>;

/** Everything `createSender` needs; `now`/`random` are for tests. */
export interface SenderOptions {
  settings: CreateSettings;
  retry: RetryConfig;
  queue: QueueConfig;
  /** Per attempt; 0 means no timeout. */
  timeoutMs: number;
  send: SendFn;
  now?: () => number;
  random?: () => number;
}

/** A consumer that sends, and its lifecycle end. */
export interface Sender {
  /** Resolves once sent; rejects with QueueFullError when full, PermanentError when dropped. */
  consume(payload: Payload): Promise<void>;
  /** Stops retrying, lets in-flight sends finish until `deadline`, then aborts them. */
  shutdown(deadline: number): Promise<void>;
}

/** Builds a sender around `send`. */
export function createSender(options: SenderOptions): Sender {
  return new QueuedSender(options);
}

interface Waiter {
  resolve: () => void;
  reject(err: Error): void;
}

class QueuedSender implements Sender {
  private readonly labels: { exporter: string };
  private readonly burst: BurstLog;
  private readonly now: () => number;
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private readonly attempts = new Set<AbortController>();
  private readonly sleeps = new Set<Waiter>();
  private stopping = false;
  private onIdle: (() => void) | undefined;

  constructor(private readonly o: SenderOptions) {
    this.labels = { exporter: o.settings.id.id };
    this.now = o.now ?? Date.now;
    this.burst = new BurstLog(o.settings.logger, this.now);
    o.settings.metrics.exporterQueueCapacity.set(this.labels, o.queue.enabled ? o.queue.queue_size : 0);
    o.settings.metrics.exporterQueueSize.set(this.labels, 0);
  }

  async consume(payload: Payload): Promise<void> {
    if (this.stopping) throw new ShuttingDownError(`exporter ${this.labels.exporter} is shutting down`);
    const { queue } = this.o;
    if (queue.enabled && this.active >= queue.num_consumers) {
      if (this.waiting.length >= queue.queue_size) {
        throw new QueueFullError(`sending queue of exporter ${this.labels.exporter} is full (${queue.queue_size} batches)`);
      }
      // The slot is handed over by release(), so `active` already counts this batch.
      await new Promise<void>((resolve, reject) => {
        this.waiting.push({ resolve, reject });
        this.gauge();
      });
    } else {
      this.active++;
    }
    try {
      await this.deliver(payload);
    } finally {
      this.release();
    }
  }

  async shutdown(deadline: number): Promise<void> {
    this.stopping = true;
    for (const s of this.sleeps) s.reject(new UnavailableError('exporter shut down while waiting to retry'));
    this.sleeps.clear();
    if (this.active === 0) return;
    const idle = new Promise<void>((resolve) => { this.onIdle = resolve; });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), Math.max(0, deadline - Date.now())); });
    const passed = await Promise.race([idle.then(() => false), late]);
    clearTimeout(timer);
    if (!passed) return;
    const err = new UnavailableError('exporter shutdown deadline passed');
    for (const w of this.waiting.splice(0)) w.reject(err);
    this.gauge();
    for (const a of this.attempts) a.abort(err);
    await idle;
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      this.gauge();
      next.resolve();
      return;
    }
    this.active--;
    if (this.active === 0) this.onIdle?.();
  }

  private gauge(): void {
    this.o.settings.metrics.exporterQueueSize.set(this.labels, this.waiting.length);
  }

  /** Attempts until sent, dropped or shut down. */
  private async deliver(payload: Payload): Promise<void> {
    const backoff = new Backoff(backoffOf(this.o.retry), this.now, this.o.random);
    for (let attempt = 1; ; attempt++) {
      let err: unknown;
      try {
        this.count(payload, await this.attempt(payload));
        return;
      } catch (e) {
        err = e;
      }
      if (isPermanent(err)) throw this.drop(payload, err, 'rejected permanently');
      // Shutting down: hand the data back as retryable so the stage log keeps it.
      if (this.stopping) throw err instanceof RetryableError ? err : new UnavailableError(messageOf(err), undefined, { cause: err });
      if (!this.o.retry.enabled) throw this.drop(payload, err, 'failed and retry_on_failure is disabled');
      const hint = err instanceof RetryableError ? err.retryAfterMs : undefined;
      const delay = hint ?? backoff.nextDelay();
      if (backoff.exceeds(delay)) throw this.drop(payload, err, `retries exhausted after ${attempt} attempts`);
      this.o.settings.logger.debug({ attempt, delay_ms: delay, throttled: hint !== undefined, err: messageOf(err) }, 'export failed, will retry');
      await this.sleep(delay);
    }
  }

  /** One send, bounded by the timeout and the shutdown deadline even if `send` ignores its signal. */
  private async attempt(payload: Payload): Promise<SendResult | void> {
    const ac = new AbortController();
    this.attempts.add(ac);
    const timeoutMs = this.o.timeoutMs;
    const timer = timeoutMs > 0
      ? setTimeout(() => ac.abort(new RetryableError(`export timed out after ${timeoutMs}ms`)), timeoutMs)
      : undefined;
    const aborted = new Promise<never>((_, reject) => {
      ac.signal.addEventListener('abort', () => reject(ac.signal.reason as Error), { once: true });
    });
    aborted.catch(() => {});
    try {
      return await Promise.race([this.o.send(payload, ac.signal), aborted]);
    } finally {
      clearTimeout(timer);
      this.attempts.delete(ac);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => { this.sleeps.delete(waiter); resolve(); },
        reject: (err) => { clearTimeout(timer); this.sleeps.delete(waiter); reject(err); },
      };
      const timer = setTimeout(waiter.resolve, ms);
      this.sleeps.add(waiter);
    });
  }

  private count(payload: Payload, result: SendResult | void): void {
    const rejected = Math.min(payload.itemCount, result?.rejected ?? 0);
    const m = this.o.settings.metrics;
    m.exporterSent[payload.signal].inc(this.labels, payload.itemCount - rejected);
    if (rejected > 0 || result?.message) {
      if (rejected > 0) m.exporterFailed[payload.signal].inc(this.labels, rejected);
      this.burst.warn({ signal: payload.signal, rejected, reason: result?.message ?? '' }, 'destination rejected part of the data (partial success)');
    }
  }

  /** Counts and logs a batch given up for good; returns the error consume rejects with. */
  private drop(payload: Payload, err: unknown, why: string): PermanentError {
    this.o.settings.metrics.exporterFailed[payload.signal].inc(this.labels, payload.itemCount);
    const message = `export ${why}, ${payload.itemCount} items dropped: ${messageOf(err)}`;
    this.burst.warn({ signal: payload.signal, items: payload.itemCount, err: messageOf(err) }, `export ${why}, data dropped`);
    return err instanceof PermanentError && why === 'rejected permanently' ? err : new PermanentError(message, { cause: err });
  }
}
