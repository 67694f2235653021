/**
 * An idempotent acks=all producer that starts over with a new producer id after any failed
 * request. The Java client does the same (it bumps the epoch); kafkajs does not. After a request
 * whose outcome it never learned — the broker restarted mid-request — kafkajs keeps its old
 * sequence numbers while the broker may have written the batch. A later, different batch can then
 * carry the sequence numbers of one the broker already holds: the broker takes it for a duplicate,
 * answers OK and drops it, and acknowledged data is lost (the broker-restart suite caught exactly
 * that), or it answers OutOfOrderSequence for ever. A new producer id has no history to collide
 * with. What the failed request carried is retried by the clients, so it may be written twice:
 * at least once, as promised.
 */
import { Partitioners, type Kafka, type Producer, type ProducerBatch } from 'kafkajs';
import type { Logger } from 'pino';
import { messageOf, UnavailableError } from '../errors.js';

/** The part of a producer the produce batcher uses. */
export interface BatchSender {
  sendBatch(batch: ProducerBatch): Promise<unknown>;
}

/** One idempotent producer at a time; replaced after a failure. */
export class FreshProducer implements BatchSender {
  private producer: Producer;
  /** Settles when `producer` is connected (true) or could not be (false). */
  private ready: Promise<boolean>;
  private closed = false;

  constructor(private readonly kafka: Kafka, private readonly logger: Logger) {
    this.producer = this.make();
    this.ready = Promise.resolve(false);
  }

  /** Connects the first producer; rejects when the brokers cannot be reached. */
  async connect(): Promise<void> {
    const p = this.producer;
    this.ready = p.connect().then(() => true);
    await this.ready;
  }

  async sendBatch(batch: ProducerBatch): Promise<void> {
    const p = this.producer;
    if (!(await this.ready)) {
      this.replace(p);
      throw new UnavailableError('no connection to the Kafka brokers');
    }
    try {
      await p.sendBatch(batch);
    } catch (err) {
      this.replace(p);
      throw err;
    }
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    await this.producer.disconnect().catch(() => {});
  }

  private make(): Producer {
    // One request in flight keeps appends in order across retries. The partitioner is kafkajs'
    // default, named so that kafkajs does not warn that its default changed in v2.
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  /** Swaps `failed` for a new producer, unless another failure already did. */
  private replace(failed: Producer): void {
    if (failed !== this.producer || this.closed) return;
    const fresh = this.make();
    this.producer = fresh;
    this.ready = fresh.connect().then(() => true, (err: unknown) => {
      this.logger.debug({ err: messageOf(err) }, 'new Kafka producer could not connect yet');
      return false;
    });
    failed.disconnect().catch(() => {});
  }
}
