/**
 * The stage log's producer client: @platformatic/kafka's idempotent producer, shaped as the part of
 * a kafkajs producer FreshProducer uses (connect, sendBatch, disconnect).
 *
 * Why a second Kafka client: kafkajs builds a produce request in nine nested encoders, each a
 * zero-filled buffer of the next power of two that the level below is copied into, and computes
 * CRC-32C a byte at a time in JavaScript. Producing 1 MiB requests of 16 KiB records to the local
 * broker (`bench/kafka-producers.ts`, 2026-11-28) took kafkajs 9.6–32 ms of CPU per MiB and this
 * client 1.5–2.4 (2.8–3.4 with its WebAssembly CRC-32C, where the optional prebuilt @node-rs/crc32
 * is not installed). In the Kafka chain bench kafkajs' encoding was a third of the receiving thread's
 * busy time, and its garbage made V8 scavenge that thread ~12 times a second ("external memory
 * pressure"). kafkajs stays everywhere else (consumers, admin, the kafka receiver and exporter),
 * and produces where this client cannot compress: zstd on a Node without zlib's zstd
 * (./kafka-queue).
 */
import { Producer, type SASLOptions } from '@platformatic/kafka';
import { CompressionTypes, type ProducerBatch } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { COMPRESSION_TYPE } from './codecs.js';
import { KAFKA_COMPRESSIONS } from './compressions.js';
import type { ProducerClient } from './fresh-producer.js';

/** Where and how the client connects; TLS and SASL as ./client reads them from the config. */
export interface RecordProducerSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly tls?: ConnectionOptions;
  readonly sasl?: SASLOptions;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** The compression name of each kafkajs attribute value (the produce batcher passes kafkajs'). */
const COMPRESSION_NAME = new Map(KAFKA_COMPRESSIONS.map((name) => [COMPRESSION_TYPE[name], name]));

/** One idempotent acks=all producer; every message must name its partition. */
export class RecordProducer implements ProducerClient {
  private readonly producer: Producer;

  constructor(settings: RecordProducerSettings) {
    this.producer = new Producer({
      clientId: settings.clientId,
      bootstrapBrokers: [...settings.brokers],
      idempotent: true,
      acks: -1,
      // A failed request fails its appends; FreshProducer then starts a new producer id and the
      // clients retry. A retry inside the client would send the same batch again, which is safe,
      // but it would hold the appends past the clients' answer deadline.
      retries: 0,
      autocreateTopics: false,
      connectTimeout: settings.connectTimeoutMs,
      timeout: settings.requestTimeoutMs,
      ...(settings.tls ? { tls: settings.tls } : {}),
      ...(settings.sasl ? { sasl: settings.sasl } : {}),
    });
  }

  /** Connects to a broker and obtains the producer id; rejects when no broker answers. */
  async connect(): Promise<void> {
    await this.producer.initIdempotentProducer({});
  }

  async sendBatch(batch: ProducerBatch): Promise<void> {
    const compression = COMPRESSION_NAME.get(batch.compression ?? CompressionTypes.None);
    const messages = [];
    for (const { topic, messages: ms } of batch.topicMessages ?? []) {
      for (const m of ms) {
        if (m.partition === undefined) throw new Error(`a stage log record for ${topic} has no partition`);
        messages.push({ topic, partition: m.partition, key: (m.key as Buffer | null) ?? undefined, value: m.value as Buffer });
      }
    }
    await this.producer.send({ messages, acks: batch.acks ?? -1, ...(compression ? { compression } : {}) });
  }

  async disconnect(): Promise<void> {
    // Forced: requests still out fail now instead of holding the shutdown. A close error leaves
    // nothing to do.
    await new Promise<void>((resolve) => this.producer.close(true, () => resolve()));
  }
}
