/**
 * `service.queue.type: kafka`: the stage logs of every pipeline as Kafka topics, sharing one
 * client, one admin and PRODUCE_LANES idempotent acks=all producers (few producers batch best).
 * It also watches the brokers, so readiness turns false while they are unreachable even when no
 * data flows.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { QueueSettings } from '../../config/index.js';
import { messageOf } from '../errors.js';
import type { Signal } from '../../pdata/index.js';
import type { QueueBackend } from '../queue-backend.js';
import type { StageLog } from '../stage-log.js';
import type { SelfMetrics } from '../telemetry.js';
import { createKafka, kafkajsProducer, recordProducerSettings } from './client.js';
import { COMPRESSION_TYPE } from './codecs.js';
import { FreshProducer, type ProducerClient } from './fresh-producer.js';
import { KafkaLog } from './kafka-log.js';
import { RecordProducer } from './record-producer.js';
import { NATIVE_ZSTD } from './zstd-codec.js';
import { ensureTopic, stageTopic } from './topics.js';

type KafkaQueueSettings = Extract<QueueSettings, { type: 'kafka' }>['kafka'];

const MIB = 1024 * 1024;
/** Bytes per stage log that may wait for the broker before receivers refuse data. */
const MAX_PENDING_BYTES = 64 * MIB;
/**
 * A client hears back within this even while the broker is away, and then retries (per the OTLP
 * spec). Well under the SDKs' default export timeout of 10 s, so the answer arrives before they give up.
 */
const PRODUCE_TIMEOUT_MS = 5000;
const PROBE_INTERVAL_MS = 3000;
/**
 * Idempotent producers per process, each with one request in flight (see FreshProducer). A broker
 * works through one connection's requests one at a time, so a second producer (connection) lets
 * it write one request while the next is encoded and sent. Records of one partition may then be
 * written in another order than appended; each is a whole request, so nothing depends on it.
 */
const PRODUCE_LANES = 2;
const PROBE_TIMEOUT_MS = 2500;

/**
 * How the stage logs' producers are made: with @platformatic/kafka (./record-producer), except for
 * zstd where Node has no zlib zstd (before 22.15): only kafkajs, with the codec vigil registers
 * (./codecs), can compress that there.
 */
function producerMaker(settings: KafkaQueueSettings, kafka: Kafka): () => ProducerClient {
  if (settings.compression === 'zstd' && !NATIVE_ZSTD) return () => kafkajsProducer(kafka);
  const clientSettings = recordProducerSettings(settings);
  return () => new RecordProducer(clientSettings);
}

/** Stage logs on Kafka topics. */
export class KafkaQueue implements QueueBackend {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producers: FreshProducer[];
  private readonly logs: KafkaLog[] = [];
  private probe: NodeJS.Timeout | undefined;
  /**
   * Probe requests not answered yet. close() lets them settle (at most PROBE_TIMEOUT_MS) before it
   * disconnects: a connection a request opens after the disconnect would outlive the queue and keep
   * the process alive.
   */
  private readonly probing = new Set<Promise<unknown>>();
  private unreachable: string | undefined;

  constructor(
    private readonly settings: KafkaQueueSettings,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
  ) {
    this.kafka = createKafka(settings, logger.child({ kind: 'kafka' }));
    this.admin = this.kafka.admin();
    const make = producerMaker(settings, this.kafka);
    this.producers = Array.from({ length: PRODUCE_LANES }, () => new FreshProducer(make, logger.child({ kind: 'kafka_producer' })));
  }

  makeLog(name: string, signal: Signal): StageLog {
    const log = new KafkaLog(name, signal, {
      topic: stageTopic(this.settings.topic_prefix, name),
      groupId: `${this.settings.group_id}.${name}`.replace(/[^A-Za-z0-9._-]/g, '-'),
      partitions: this.settings.partitions,
      compression: COMPRESSION_TYPE[this.settings.compression],
      maxMessageBytes: this.settings.max_message_bytes,
      sessionTimeoutMs: this.settings.session_timeout,
      maxPendingBytes: MAX_PENDING_BYTES,
      produceTimeoutMs: PRODUCE_TIMEOUT_MS,
    }, this.kafka, this.producers, this.metrics, this.logger.child({ kind: 'stage_log', name }));
    this.logs.push(log);
    return log;
  }

  /** Connects, creates the stage topics that are missing, and starts watching the brokers. */
  async start(): Promise<void> {
    try {
      await this.admin.connect();
      for (const log of this.logs) {
        const topic = stageTopic(this.settings.topic_prefix, log.name);
        log.setPartitions(await ensureTopic(this.admin, {
          topic,
          partitions: this.settings.partitions,
          replicationFactor: this.settings.replication_factor,
          maxMessageBytes: this.settings.max_message_bytes,
        }, this.logger));
      }
      await Promise.all(this.producers.map((p) => p.connect()));
    } catch (err) {
      await this.close();
      throw new Error(`cannot use Kafka at ${this.settings.brokers.join(', ')}: ${messageOf(err)}`, { cause: err });
    }
    this.probe = setInterval(() => void this.checkBrokers(), PROBE_INTERVAL_MS);
    this.probe.unref();
  }

  notReadyReasons(): string[] {
    return this.unreachable ? [`kafka brokers ${this.settings.brokers.join(', ')} unreachable: ${this.unreachable}`] : [];
  }

  /** Disconnects; called after every log drained. */
  async close(): Promise<void> {
    clearInterval(this.probe);
    if (this.probing.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.probing]), new Promise((resolve) => (timer = setTimeout(resolve, PROBE_TIMEOUT_MS)))]);
      clearTimeout(timer);
    }
    await Promise.allSettled([...this.producers.map((p) => p.disconnect()), this.admin.disconnect()]);
  }

  /** Asks the cluster for its brokers; a failure or no answer in time marks Kafka unreachable. */
  private async checkBrokers(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const request = this.admin.describeCluster();
    this.probing.add(request);
    void request.catch(() => {}).finally(() => this.probing.delete(request));
    try {
      await Promise.race([
        request,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS))),
      ]);
      if (this.unreachable) this.logger.info({ brokers: this.settings.brokers }, 'Kafka reachable again');
      this.unreachable = undefined;
    } catch (err) {
      if (!this.unreachable) this.logger.warn({ brokers: this.settings.brokers, err: messageOf(err) }, 'Kafka unreachable; not ready');
      this.unreachable = messageOf(err);
    } finally {
      clearTimeout(timer);
    }
  }
}
