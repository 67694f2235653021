/**
 * An idempotent acks=all producer that starts over with a new producer id after any failed
 * request. The Java client does the same (it bumps the epoch); kafkajs and @platformatic/kafka do
 * not. After a request whose outcome it never learned — the broker restarted mid-request — such a
 * client keeps its old sequence numbers while the broker may have written the batch. A later,
 * different batch can then carry the sequence numbers of one the broker already holds: the broker
 * takes it for a duplicate, answers OK and drops it, and acknowledged data is lost (the
 * broker-restart suite caught exactly that with kafkajs), or it answers OutOfOrderSequence for
 * ever. A new producer id has no history to collide with. What the failed request carried is
 * retried by the clients, so it may be written twice: at least once, as promised.
 */
import type { ProducerBatch } from 'kafkajs';
import type { Logger } from 'pino';
import { messageOf, UnavailableError } from '../errors.js';

/** The part of a producer the produce batcher uses. */
export interface BatchSender {
  sendBatch(batch: ProducerBatch): Promise<unknown>;
}

/** What FreshProducer needs of a producer: ./record-producer's, or a kafkajs Producer. */
export interface ProducerClient {
  connect(): Promise<void>;
  sendBatch(batch: ProducerBatch): Promise<unknown>;
  disconnect(): Promise<void>;
}

/** One idempotent producer at a time; replaced after a failure. */
export class FreshProducer implements BatchSender {
  private producer: ProducerClient;
  /** Settles when `producer` is connected (true) or could not be (false). */
  private ready: Promise<boolean>;
  private closed = false;

  /** `make` returns a new idempotent acks=all producer, not connected, each time it is called. */
  constructor(private readonly make: () => ProducerClient, private readonly logger: Logger) {
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

  /** Swaps `failed` for a new producer, unless another failure already did. */
  private replace(failed: ProducerClient): void {
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
