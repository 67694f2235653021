/**
 * Folds concurrent appends into few produce requests. While one request is with the broker, new
 * appends gather; when it returns they leave together as the next one. At low load an append is
 * sent at once (no linger); under load batches grow by themselves — throughput without a timer.
 * Each append resolves only when the broker acknowledged every one of its messages (acks=all).
 */
import type { Logger } from 'pino';
import type { CompressionTypes, Message } from 'kafkajs';
import { messageOf, QueueFullError, UnavailableError } from '../errors.js';
import type { SelfMetrics } from '../telemetry.js';
import type { BatchSender } from './fresh-producer.js';

/** How the batcher sends. */
export interface ProduceBatcherOptions {
  readonly topic: string;
  readonly compression: CompressionTypes;
  /** A produce request carries at most this many bytes of values (Kafka's own limit is per request too). */
  readonly maxRequestBytes: number;
  /** Bytes waiting or with the broker; an append past this is refused with QueueFullError. */
  readonly maxPendingBytes: number;
  /** How long an append may wait for the broker before its client is told to retry. */
  readonly timeoutMs: number;
  /** Label for self-metrics and logs. */
  readonly log: string;
}

/** One append: its messages, and how to tell its caller. */
interface Waiting {
  readonly messages: Message[];
  readonly bytes: number;
  settled: boolean;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

const RETRY_AFTER_MS = 1000;

/** Batches appends to one topic through one (idempotent, acks=all) producer. */
export class ProduceBatcher {
  private waiting: Waiting[] = [];
  private waitingBytes = 0;
  private inFlightBytes = 0;
  private sending = false;
  private lastError: string | undefined;
  private warnedFull = false;

  constructor(
    private readonly producer: BatchSender,
    private readonly options: ProduceBatcherOptions,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
  ) {}

  /** Why producing fails now (the last request failed and none succeeded since); undefined when fine. */
  get failing(): string | undefined {
    return this.lastError;
  }

  /** Bytes accepted but not yet acknowledged by the broker. */
  get pendingBytes(): number {
    return this.waitingBytes + this.inFlightBytes;
  }

  /** Sends `messages`; resolves when all are durable, rejects (retryably) when they may not be. */
  send(messages: Message[], bytes: number): Promise<void> {
    if (this.pendingBytes + bytes > this.options.maxPendingBytes) {
      if (!this.warnedFull) {
        this.warnedFull = true;
        this.logger.warn({ log: this.options.log, pending_bytes: this.pendingBytes }, 'Kafka is not keeping up; refusing data until produce requests return');
      }
      return Promise.reject(new QueueFullError(`stage log ${this.options.log}: ${this.pendingBytes} bytes waiting for Kafka`, RETRY_AFTER_MS));
    }
    this.warnedFull = false;
    return new Promise<void>((resolve, reject) => {
      const w: Waiting = { messages, bytes, settled: false, resolve, reject };
      // The client hears back in bounded time even while the producer keeps retrying underneath.
      w.timer = setTimeout(() => this.settle(w, new UnavailableError(
        `stage log ${this.options.log}: Kafka did not acknowledge within ${this.options.timeoutMs} ms${this.lastError ? ` (${this.lastError})` : ''}`,
        RETRY_AFTER_MS,
      )), this.options.timeoutMs);
      this.waiting.push(w);
      this.waitingBytes += bytes;
      this.pump();
    });
  }

  /** Resolves once nothing is waiting or in flight, or at `deadline`. */
  async flush(deadline: number): Promise<void> {
    while (this.pendingBytes > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  private pump(): void {
    if (this.sending || this.waiting.length === 0) return;
    const batch: Waiting[] = [];
    let bytes = 0;
    while (this.waiting.length > 0 && (batch.length === 0 || bytes + this.waiting[0]!.bytes <= this.options.maxRequestBytes)) {
      const w = this.waiting.shift()!;
      bytes += w.bytes;
      batch.push(w);
    }
    this.waitingBytes -= bytes;
    // An append whose client already gave up is still sent: it may be half-way there, and
    // sending it costs at most a duplicate, while dropping it silently is never right.
    this.sending = true;
    this.inFlightBytes = bytes;
    const messages = batch.length === 1 ? batch[0]!.messages : batch.flatMap((w) => w.messages);
    const started = process.hrtime.bigint();
    this.producer.sendBatch({ acks: -1, compression: this.options.compression, topicMessages: [{ topic: this.options.topic, messages }] }).then(
      () => {
        this.metrics.kafkaProduced.inc({ producer: this.options.log, topic: this.options.topic }, messages.length);
        this.metrics.kafkaProducedBytes.inc({ producer: this.options.log, topic: this.options.topic }, bytes);
        this.metrics.kafkaProduceLatency.observe({ producer: this.options.log }, Number(process.hrtime.bigint() - started) / 1e9);
        if (this.lastError) this.logger.info({ log: this.options.log }, 'Kafka acknowledges produce requests again');
        this.lastError = undefined;
        for (const w of batch) this.settle(w);
      },
      (err: unknown) => {
        const message = messageOf(err);
        if (this.lastError === undefined) this.logger.error({ log: this.options.log, err: message }, 'produce to Kafka failed; clients are told to retry');
        this.lastError = message;
        this.metrics.kafkaProduceFailed.inc({ producer: this.options.log }, messages.length);
        for (const w of batch) this.settle(w, new UnavailableError(`stage log ${this.options.log}: Kafka refused the data: ${message}`, RETRY_AFTER_MS));
      },
    ).finally(() => {
      this.sending = false;
      this.inFlightBytes = 0;
      this.pump();
    });
  }

  private settle(w: Waiting, err?: Error): void {
    if (w.settled) return;
    w.settled = true;
    clearTimeout(w.timer);
    if (err) w.reject(err);
    else w.resolve();
  }
}
