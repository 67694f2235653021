/**
 * Folds concurrent appends into few produce requests. Each producer (lane) has at most one request
 * of this batcher with the broker; while all have one, new appends gather, and when one returns
 * they leave together as the next. At low load an append is sent at once (no linger); under load
 * batches grow by themselves — throughput without a timer.
 * Each append resolves only when the broker acknowledged every one of its messages (acks=all).
 *
 * A request is cut at `maxRequestBytes`, and also so that no partition's share of it exceeds
 * `maxPartitionBytes` (./record-size). An append that is larger than that on one partition (a big request cut
 * into record-sized pieces) leaves over several requests.
 */
import type { Logger } from 'pino';
import type { CompressionTypes, Message } from 'kafkajs';
import { messageOf, QueueFullError, UnavailableError } from '../errors.js';
import type { SelfMetrics } from '../telemetry.js';
import type { BatchSender } from './fresh-producer.js';
import { recordBytes } from './record-size.js';

/** How the batcher sends. */
export interface ProduceBatcherOptions {
  readonly topic: string;
  readonly compression: CompressionTypes;
  /** A produce request carries at most this many bytes of values (Kafka's own limit is per request too). */
  readonly maxRequestBytes: number;
  /** At most this many bytes (values, keys and record overhead) per partition in one request. */
  readonly maxPartitionBytes: number;
  /** Bytes waiting or with the broker; an append past this is refused with QueueFullError. */
  readonly maxPendingBytes: number;
  /** How long an append may wait for the broker before its client is told to retry. */
  readonly timeoutMs: number;
  /** Label for self-metrics and logs. */
  readonly log: string;
}

/** One append: how many of its messages the broker has yet to acknowledge, and how to tell its caller. */
interface Append {
  unacked: number;
  settled: boolean;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

/** One message waiting to be sent, with the append it belongs to. */
interface Queued {
  readonly message: Message;
  readonly bytes: number;
  readonly append: Append;
}

/** Messages without an explicit partition: the partitioner may put them all on one. */
const ANY_PARTITION = -1;
const RETRY_AFTER_MS = 1000;

const valueBytes = (m: Message): number => (m.value as Buffer | null)?.byteLength ?? 0;
const keyBytes = (m: Message): number => (m.key as Buffer | null | undefined)?.byteLength ?? 0;

/** Batches appends to one topic through one (idempotent, acks=all) producer. */
export class ProduceBatcher {
  private waiting: Queued[] = [];
  private waitingBytes = 0;
  private inFlightBytes = 0;
  /** Per producer: whether a request of this batcher is with it (at most one each, see FreshProducer). */
  private readonly busy: boolean[];
  private lastError: string | undefined;
  /** Warned that Kafka is not keeping up; again only once the backlog fell to half the bound. */
  private warnedFull = false;

  constructor(
    private readonly producers: readonly BatchSender[],
    private readonly options: ProduceBatcherOptions,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
  ) {
    this.busy = producers.map(() => false);
  }

  /** Why producing fails now (the last request failed and none succeeded since); undefined when fine. */
  get failing(): string | undefined {
    return this.lastError;
  }

  /** Value bytes accepted but not yet acknowledged by the broker. */
  get pendingBytes(): number {
    return this.waitingBytes + this.inFlightBytes;
  }

  /** Sends `messages`; resolves when all are durable, rejects (retryably) when they may not be. */
  send(messages: readonly Message[]): Promise<void> {
    const bytes = messages.reduce((n, m) => n + valueBytes(m), 0);
    try {
      this.checkRoom(bytes);
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on checkRoom's typed error
      return Promise.reject(err);
    }
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const append: Append = { unacked: messages.length, settled: false, resolve, reject };
      // The client hears back in bounded time even while the producer keeps retrying underneath.
      append.timer = setTimeout(() => this.settle(append, new UnavailableError(
        `stage log ${this.options.log}: Kafka did not acknowledge within ${this.options.timeoutMs} ms${this.lastError ? ` (${this.lastError})` : ''}`,
        RETRY_AFTER_MS,
      )), this.options.timeoutMs);
      for (const message of messages) this.waiting.push({ message, bytes: valueBytes(message), append });
      this.waitingBytes += bytes;
      this.pump();
    });
  }

  /** Throws the QueueFullError `send` would give `bytes` more now. */
  checkRoom(bytes: number): void {
    if (this.pendingBytes + bytes <= this.options.maxPendingBytes) return;
    if (!this.warnedFull) {
      this.warnedFull = true;
      this.logger.warn({ log: this.options.log, pending_bytes: this.pendingBytes }, 'Kafka is not keeping up; refusing data until produce requests return');
    }
    throw new QueueFullError(`stage log ${this.options.log}: ${this.pendingBytes} bytes waiting for Kafka`, RETRY_AFTER_MS);
  }

  /** Resolves once nothing is waiting or in flight, or at `deadline`. */
  async flush(deadline: number): Promise<void> {
    while (this.pendingBytes > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  private pump(): void {
    for (let lane = this.busy.indexOf(false); lane >= 0 && this.waiting.length > 0; lane = this.busy.indexOf(false)) this.sendOn(lane);
  }

  private sendOn(lane: number): void {
    const batch = this.nextRequest();
    const bytes = batch.reduce((n, q) => n + q.bytes, 0);
    this.waitingBytes -= bytes;
    // An append whose client already gave up is still sent: it may be half-way there, and
    // sending it costs at most a duplicate, while dropping it silently is never right.
    this.busy[lane] = true;
    this.inFlightBytes += bytes;
    const messages = batch.map((q) => q.message);
    const started = process.hrtime.bigint();
    this.producers[lane]!.sendBatch({ acks: -1, compression: this.options.compression, topicMessages: [{ topic: this.options.topic, messages }] }).then(
      () => {
        this.metrics.kafkaProduced.inc({ producer: this.options.log, topic: this.options.topic }, messages.length);
        this.metrics.kafkaProducedBytes.inc({ producer: this.options.log, topic: this.options.topic }, bytes);
        this.metrics.kafkaProduceLatency.observe({ producer: this.options.log }, Number(process.hrtime.bigint() - started) / 1e9);
        if (this.lastError) this.logger.info({ log: this.options.log }, 'Kafka acknowledges produce requests again');
        this.lastError = undefined;
        for (const q of batch) if (--q.append.unacked === 0) this.settle(q.append);
      },
      (err: unknown) => {
        const message = messageOf(err);
        if (this.lastError === undefined) this.logger.error({ log: this.options.log, err: message }, 'produce to Kafka failed; clients are told to retry');
        this.lastError = message;
        this.metrics.kafkaProduceFailed.inc({ producer: this.options.log }, messages.length);
        for (const q of batch) this.settle(q.append, new UnavailableError(`stage log ${this.options.log}: Kafka refused the data: ${message}`, RETRY_AFTER_MS));
      },
    ).finally(() => {
      this.busy[lane] = false;
      this.inFlightBytes -= bytes;
      if (this.pendingBytes <= this.options.maxPendingBytes / 2) this.warnedFull = false;
      this.pump();
    });
  }

  /**
   * Takes waiting messages in order while the request stays within both bounds; stops at the
   * first that does not fit, so appends keep their order. The first message always goes.
   */
  private nextRequest(): Queued[] {
    const perPartition = new Map<number, number>();
    let bytes = 0;
    let n = 0;
    for (; n < this.waiting.length; n++) {
      const q = this.waiting[n]!;
      const partition = q.message.partition ?? ANY_PARTITION;
      const inPartition = (perPartition.get(partition) ?? 0) + recordBytes(q.bytes, keyBytes(q.message));
      if (n > 0 && (bytes + q.bytes > this.options.maxRequestBytes || inPartition > this.options.maxPartitionBytes)) break;
      bytes += q.bytes;
      perPartition.set(partition, inPartition);
    }
    return this.waiting.splice(0, n);
  }

  private settle(a: Append, err?: Error): void {
    if (a.settled) return;
    a.settled = true;
    clearTimeout(a.timer);
    if (err) a.reject(err);
    else a.resolve();
  }
}
