/**
 * The production stage log: one Kafka topic per pipeline stage. Appends are produced with
 * acks=all through the shared idempotent producer and resolve only once durable; a consumer group
 * delivers records to the pipeline and commits an offset only after the pipeline acknowledged that
 * record and every earlier one of its partition. Records are OTLP export requests in protobuf, the
 * format of otelcol's kafka exporter (`otlp_proto`), so the topics are readable by other tools.
 */
import type { CompressionTypes, Kafka, Message } from 'kafkajs';
import type { Logger } from 'pino';
import type { Hold } from '../delivery.js';
import { messageOf, PermanentError, ShuttingDownError } from '../errors.js';
import { decodeProtobuf, partitionOf, type Signal } from '../../pdata/index.js';
import type { DeliveryHandler, PartitionHooks, StageLog, StageLogStats, StageRecord } from '../stage-log.js';
import type { SelfMetrics } from '../telemetry.js';
import { GroupConsumer, type ConsumedRecord } from './group-consumer.js';
import { ProduceBatcher } from './produce-batcher.js';
import { splitToFit } from './split.js';

/** Settings of one Kafka stage log, from `service.queue.kafka`. */
export interface KafkaLogSettings {
  readonly topic: string;
  readonly groupId: string;
  readonly partitions: number;
  readonly compression: CompressionTypes;
  readonly maxMessageBytes: number;
  readonly sessionTimeoutMs: number;
  readonly maxPendingBytes: number;
  readonly produceTimeoutMs: number;
}

const RETRY_AFTER_MS = 1000;

/** A StageLog on a Kafka topic. `partitions` is known once `setPartitions` ran (at start). */
export class KafkaLog implements StageLog {
  private partitionCount: number;
  private readonly batcher: ProduceBatcher;
  private consumer: GroupConsumer | undefined;
  private draining = false;
  /** Where the next record without partition or key goes (round robin). */
  private nextUnkeyed = 0;

  constructor(
    readonly name: string,
    private readonly signal: Signal,
    private readonly settings: KafkaLogSettings,
    private readonly kafka: Kafka,
    producers: ConstructorParameters<typeof ProduceBatcher>[0],
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
  ) {
    this.partitionCount = settings.partitions;
    this.batcher = new ProduceBatcher(producers, {
      topic: settings.topic,
      compression: settings.compression,
      maxRequestBytes: Math.max(settings.maxMessageBytes, 4 * 1024 * 1024),
      maxPartitionBytes: settings.maxMessageBytes,
      maxPendingBytes: settings.maxPendingBytes,
      timeoutMs: settings.produceTimeoutMs,
      log: name,
    }, metrics, logger);
  }

  get partitions(): number {
    return this.partitionCount;
  }

  /** The topic's real partition count, read when the topic was ensured at start. */
  setPartitions(count: number): void {
    this.partitionCount = count;
  }

  async append(records: readonly StageRecord[]): Promise<void> {
    this.checkDraining();
    const messages: Message[] = [];
    for (const r of records) {
      // A request larger than a Kafka record may be is cut into several, each whole items.
      for (const piece of splitToFit(r.payload, this.settings.maxMessageBytes)) {
        const value = Buffer.from(piece.bytes.buffer, piece.bytes.byteOffset, piece.bytes.byteLength);
        // Every record names its partition (the producer client does not choose): a key's is
        // Kafka's default partitioner's, and records without either take turns.
        const partition = r.partition ?? (r.key ? partitionOf(r.key, this.partitionCount) : this.nextUnkeyed++ % this.partitionCount);
        messages.push({ partition, key: r.key ? Buffer.from(r.key) : null, value });
      }
    }
    await this.batcher.send(messages);
    this.publishSize();
  }

  async consume(handler: DeliveryHandler, hooks?: PartitionHooks): Promise<void> {
    if (this.consumer) throw new Error(`stage log ${this.name} already has a consumer`);
    this.consumer = new GroupConsumer({
      kafka: this.kafka,
      name: this.name,
      groupId: this.settings.groupId,
      topics: [this.settings.topic],
      handler: (record, hold) => this.deliver(record, hold, handler),
      logger: this.logger,
      metrics: this.metrics,
      // A new group reads the topic from its start: records produced before the first consumer
      // joined were acknowledged to clients, so they must be delivered.
      fromBeginning: true,
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      // Under a backlog every partition's window fills and kafkajs, with nothing to fetch, sleeps
      // the fetch wait before it looks again; a short wait keeps the pipeline from idling then.
      maxWaitTimeMs: 100,
      maxInFlightPerPartition: 128,
      hooks: hooks && {
        assigned: (tps) => hooks.assigned?.(tps.flatMap((tp) => tp.partitions)),
        // Kafka reads every uncommitted record again for the next owner: held data may be dropped.
        revoked: (tps) => hooks.revoked?.(tps.flatMap((tp) => tp.partitions), { redelivered: true }),
      },
    });
    await this.consumer.start();
  }

  /**
   * Stops taking appends, waits for produce requests under way, then stops consuming (finishing
   * and committing what is in flight). What stays uncommitted is not lost: it is in Kafka, and
   * the next owner of the partition reads it again. So nothing counts as left behind.
   */
  async drain(deadline: number): Promise<number> {
    this.draining = true;
    await this.batcher.flush(deadline);
    await this.consumer?.stop(deadline);
    this.publishSize();
    return 0;
  }

  checkRoom(bytes: number): void {
    this.checkDraining();
    this.batcher.checkRoom(bytes);
  }

  notReadyReasons(): string[] {
    const reasons = this.consumer?.notReadyReasons() ?? [];
    const failing = this.batcher.failing;
    if (failing) reasons.push(`stage log ${this.name}: producing to Kafka fails: ${failing}`);
    return reasons;
  }

  stats(): StageLogStats {
    return { records: 0, bytes: this.batcher.pendingBytes, capacityBytes: this.settings.maxPendingBytes };
  }

  /**
   * Decodes one record and hands it on. A record that is not an OTLP request can never succeed: it
   * is counted as dropped and rejected permanently, so the consumer logs it and commits past it.
   */
  private async deliver(record: ConsumedRecord, hold: () => Hold, handler: DeliveryHandler): Promise<void> {
    let payload;
    try {
      payload = record.value.length > 0 ? decodeProtobuf(this.signal, record.value).payload : null;
    } catch (err) {
      this.metrics.stageLogDropped.inc({ log: this.name });
      throw new PermanentError(`not an OTLP ${this.signal} request: ${messageOf(err)}`);
    }
    if (payload === null) return; // an empty request: nothing to do, commit past it
    await handler(payload, { log: this.name, partition: record.partition, offset: BigInt(record.offset), durable: true, hold });
  }

  private checkDraining(): void {
    if (this.draining) throw new ShuttingDownError(`stage log ${this.name} is draining`, RETRY_AFTER_MS);
  }

  private publishSize(): void {
    this.metrics.stageLogBytes.set({ log: this.name }, this.batcher.pendingBytes);
  }
}
