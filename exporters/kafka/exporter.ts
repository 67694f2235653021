/**
 * The kafka exporter: each export request becomes one Kafka record (or one per trace, or several
 * when it is larger than max_message_bytes) on the signal's topic, produced with the configured
 * acks, under the shared sending machinery (queue, timeout, retries). The records of one export go
 * out in as many concurrent produce requests as max_message_bytes asks (./encode `toRequests`);
 * if one fails, the export is retried whole (at least once).
 */
import type { Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { CreateSettings, Exporter } from '../../pipeline/component.js';
import { PermanentError, RetryableError, UnavailableError, messageOf } from '../../pipeline/errors.js';
import { createKafka, isRetriableKafkaError } from '../../pipeline/kafka/client.js';
import { COMPRESSION_TYPE } from '../../pipeline/kafka/codecs.js';
import type { Payload } from '../../pdata/payload.js';
import { createSender, type Sender } from '../exporterhelper/index.js';
import { destination, type Config } from './config.js';
import { toMessages, toRequests, type OutMessage } from './encode.js';

/** Produces every signal's payloads to its topic. */
export class KafkaExporter implements Exporter {
  private producer: Producer | undefined;
  private readonly sender: Sender;
  /** Encoded once per payload, not once per attempt. */
  private readonly encoded = new WeakMap<Payload, OutMessage[]>();

  constructor(private readonly settings: CreateSettings, private readonly config: Config) {
    this.sender = createSender({
      settings,
      retry: config.retry_on_failure,
      queue: config.sending_queue,
      timeoutMs: config.timeout,
      send: (payload) => this.send(payload),
    });
  }

  async start(): Promise<void> {
    // kafkajs retries a little itself (leader moves, metadata refresh); retry_on_failure does the rest.
    const kafka = createKafka(this.config, this.settings.logger, { retry: { retries: 2, initialRetryTime: 100 } });
    // kafkajs' default partitioner (murmur2 of the key, as the Java client), named so that kafkajs
    // does not warn at every start that its default changed in v2.
    const producer = kafka.producer({
      allowAutoTopicCreation: this.config.producer.allow_auto_topic_creation ?? true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
    } catch (err) {
      throw new Error(`kafka exporter cannot connect to ${this.config.brokers.join(',')}: ${messageOf(err)}`, { cause: err });
    }
    this.producer = producer;
    this.settings.logger.debug({ brokers: this.config.brokers }, 'kafka producer connected');
  }

  consume(payload: Payload): Promise<void> {
    return this.sender.consume(payload);
  }

  async shutdown(deadline: number): Promise<void> {
    try {
      await this.sender.shutdown(deadline);
    } finally {
      const p = this.producer;
      this.producer = undefined;
      await p?.disconnect();
    }
  }

  private messages(payload: Payload): OutMessage[] {
    let m = this.encoded.get(payload);
    if (!m) {
      const { encoding } = destination(this.config, payload.signal);
      m = toMessages(payload, encoding, this.config.producer.max_message_bytes, this.config.partition_traces_by_id);
      this.encoded.set(payload, m);
    }
    return m;
  }

  private async send(payload: Payload): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new UnavailableError('kafka exporter is not started');
    const messages = this.messages(payload);
    const { topic } = destination(this.config, payload.signal);
    const { producer: p, timeout } = this.config;
    try {
      await Promise.all(toRequests(messages, p.max_message_bytes).map((request) => producer.send({
        topic,
        messages: request.map((m) => ({ key: m.key, value: m.value })),
        acks: p.required_acks,
        compression: COMPRESSION_TYPE[p.compression],
        ...(timeout > 0 ? { timeout } : {}),
      })));
    } catch (err) {
      const what = `producing to ${topic}`;
      if (isRetriableKafkaError(err)) throw new RetryableError(`${what}: ${messageOf(err)}`, undefined, { cause: err });
      throw new PermanentError(`${what}: ${messageOf(err)}`, { cause: err });
    }
    const labels = { producer: this.settings.id.id, topic };
    this.settings.metrics.kafkaProduced.inc(labels, messages.length);
    this.settings.metrics.kafkaProducedBytes.inc(labels, messages.reduce((n, m) => n + m.value.length, 0));
  }
}
