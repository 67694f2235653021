/**
 * The entry of a pipeline: where receivers and connectors hand data in. It asks the pipeline's
 * admission processors (memory_limiter), splits the request by partition key and appends it to the
 * pipeline's stage log. It resolves when the log accepted (memory) or made durable (Kafka) the data:
 * that is the moment a receiver may answer OK.
 */
import type { Consumer, Processor } from './component.js';
import type { Payload } from '../pdata/payload.js';
import { groupByPartition, type PartitionKey } from '../pdata/index.js';
import type { StageLog, StageRecord } from './stage-log.js';

/** A consumer that admits and appends to one stage log. */
export class PipelineEntry implements Consumer {
  constructor(
    private readonly log: StageLog,
    private readonly admission: readonly Processor[],
    /** How items are keyed to partitions (./keys, pipelineKeyOf). */
    private readonly key: PartitionKey,
  ) {}

  checkRoom(bytes: number): void {
    this.log.checkRoom(bytes);
  }

  async consume(payload: Payload): Promise<void> {
    for (const p of this.admission) p.admit!(payload);
    await this.log.append(this.records(payload));
  }

  /**
   * One record per partition the payload touches. With one partition the request is appended as
   * it came, unsplit: splitting costs a rebuild of the bytes and buys nothing there.
   */
  private records(payload: Payload): StageRecord[] {
    if (this.log.partitions === 1) return [{ key: undefined, partition: 0, payload }];
    const out: StageRecord[] = [];
    for (const [partition, part] of groupByPartition(payload, this.log.partitions, this.key)) {
      out.push({ key: undefined, partition, payload: part });
    }
    return out;
  }
}
