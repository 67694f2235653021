/**
 * The entry of a pipeline: where receivers and connectors hand data in. It asks the pipeline's
 * admission processors (memory_limiter), splits the request by partition key and appends it to the
 * pipeline's stage log. It resolves when the log accepted (memory) or made durable (Kafka) the data:
 * that is the moment a receiver may answer OK.
 */
import type { PipelineConfig, ServiceConfig } from '../config/index.js';
import type { Consumer, Processor, ProcessorFactory } from './component.js';
import type { Payload, Signal } from '../pdata/payload.js';
import { groupByPartition, type PartitionKey } from '../pdata/index.js';
import type { StageLog, StageRecord } from './stage-log.js';

/** A consumer that admits and appends to one stage log. */
export class PipelineEntry implements Consumer {
  constructor(
    private readonly log: StageLog,
    private readonly admission: readonly Processor[],
    /** How items are keyed to partitions (pipelineKeyOf). */
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

/** The key of a pipeline whose processors declare none: traces by trace id, metrics by series, logs round-robin. */
export const DEFAULT_KEYS: Readonly<Record<Signal, PartitionKey>> = {
  traces: { by: 'trace_id' },
  metrics: { by: 'series' },
  logs: { by: 'none' },
};

/**
 * The partition key of pipeline `p`: the one its processors' factories declare for their configs
 * (ProcessorFactory.partitionKey), else the signal's default. Throws when two need different keys:
 * no single partitioning can give both all of their data on one instance.
 */
export function pipelineKeyOf(config: ServiceConfig, p: PipelineConfig): PartitionKey {
  return pipelineKey(p.signal, p.processors.map((id) => {
    const c = config.processors.get(id);
    return { id, key: c ? (c.factory as ProcessorFactory).partitionKey?.(c.config) : undefined };
  }));
}

/** The key a pipeline needs given what each processor declared; see pipelineKeyOf. */
export function pipelineKey(signal: Signal, declared: ReadonlyArray<{ id: string; key: PartitionKey | undefined }>): PartitionKey {
  const needs = declared.filter((d): d is { id: string; key: PartitionKey } => d.key !== undefined);
  const first = needs[0];
  if (!first) return DEFAULT_KEYS[signal];
  const clash = needs.find((d) => JSON.stringify(d.key) !== JSON.stringify(first.key));
  if (clash) {
    throw new Error(`processors ${first.id} and ${clash.id} need different partition keys (${describeKey(first.key)} and ${describeKey(clash.key)}); put them in separate pipelines joined by a connector`);
  }
  return first.key;
}

function describeKey(key: PartitionKey): string {
  return key.by === 'attribute' ? `attribute ${key.name}` : key.by;
}
