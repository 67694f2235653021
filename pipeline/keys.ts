/**
 * The partition key of each pipeline's stage log (pipeline/README.md, "Keys"). A key is a cost:
 * splitting a request by key rebuilds its bytes once per partition it touches, and on the gRPC
 * forwarding path of the memory queue that was a sixth of the daemon's busy time, for nothing: one
 * process owns every partition there, so only a processor that keeps state can tell partitions
 * apart. So a pipeline is keyed as far as something needs it: a processor that declares a key; on
 * the Kafka queue, the promise that every span of a trace reaches one instance; metrics by series
 * everywhere, because exporters such as Prometheus need each series' points in order and one
 * partition keeps them so.
 */
import type { PipelineConfig, ServiceConfig } from '../config/index.js';
import type { PartitionKey } from '../pdata/index.js';
import type { Signal } from '../pdata/payload.js';
import type { ConnectorFactory, ProcessorFactory } from './component.js';

/**
 * The key of a pipeline that no processor asks a key of: metrics by series (points of a series in
 * order); traces by trace id on the Kafka queue (several daemons share its partitions, and each
 * trace reaches one of them whole), else whole requests round-robin; logs round-robin.
 */
function defaultKey(config: ServiceConfig, signal: Signal): PartitionKey {
  if (signal === 'metrics') return { by: 'series' };
  if (signal === 'traces' && config.service.queue.type === 'kafka') return { by: 'trace_id' };
  return { by: 'none' };
}

/**
 * The partition key of pipeline `p`: the one its processors' factories declare for their configs
 * (ProcessorFactory.partitionKey); else, on the memory queue, the key of the pipelines it feeds
 * through pass-through connectors (`forward`), when they agree; else defaultKey. Throws when two
 * processors of `p` need different keys: no single partitioning can give both all of their data on
 * one instance.
 *
 * Taking the downstream key costs nothing extra (the downstream entry would split the same way) and
 * hands every consumer of `p` the same payload objects the downstream processors get: on the
 * analytics chain span_metrics' walk of a record then also answers tail_sampling's event time
 * (pdata/event-time.ts). The Kafka queue keeps its keys as they are: its traces default to trace id
 * already, and a key there also decides which pipelines run in-line (./inline).
 */
export function pipelineKeyOf(config: ServiceConfig, p: PipelineConfig): PartitionKey {
  return keyOf(config, p, new Set());
}

function keyOf(config: ServiceConfig, p: PipelineConfig, visiting: Set<string>): PartitionKey {
  const declared = declaredKey(config, p);
  if (declared) return declared;
  if (config.service.queue.type !== 'memory' || visiting.has(p.id)) return defaultKey(config, p.signal);
  visiting.add(p.id);
  const below = fedThroughPassingConnectors(config, p).map((q) => keyOrUndefined(config, q, visiting));
  visiting.delete(p.id);
  const first = below[0];
  if (first === undefined || below.some((k) => k === undefined || !sameKey(k, first))) return defaultKey(config, p.signal);
  return first;
}

/** The pipelines of p's signal that receive from a pass-through connector p exports to. */
function fedThroughPassingConnectors(config: ServiceConfig, p: PipelineConfig): PipelineConfig[] {
  const passing = p.exporters.filter((id) => (config.connectors.get(id)?.factory as ConnectorFactory | undefined)?.passesThrough === true);
  if (passing.length === 0) return [];
  return config.pipelines.filter((q) => q.id !== p.id && q.signal === p.signal && q.receivers.some((r) => passing.includes(r)));
}

// A downstream pipeline whose processors clash has no key: validation reports it.
function keyOrUndefined(config: ServiceConfig, q: PipelineConfig, visiting: Set<string>): PartitionKey | undefined {
  try {
    return keyOf(config, q, visiting);
  } catch {
    return undefined;
  }
}

/** Whether a processor of some pipeline declares a partition key: it keeps state per key (tail_sampling, anomaly, ...). */
export function hasKeyedProcessor(config: ServiceConfig): boolean {
  return config.pipelines.some((p) => {
    try {
      return declaredKey(config, p) !== undefined;
    } catch {
      return true; // processors that clash are keyed too (validation reports the clash)
    }
  });
}

/** The key `p`'s processors declare, if any; see pipelineKey. */
function declaredKey(config: ServiceConfig, p: PipelineConfig): PartitionKey | undefined {
  return pipelineKey(p.processors.map((id) => {
    const c = config.processors.get(id);
    return { id, key: c ? (c.factory as ProcessorFactory).partitionKey?.(c.config) : undefined };
  }));
}

/** The one key the processors of a pipeline declare (undefined: none does); throws when two differ. */
function pipelineKey(declared: ReadonlyArray<{ id: string; key: PartitionKey | undefined }>): PartitionKey | undefined {
  const needs = declared.filter((d): d is { id: string; key: PartitionKey } => d.key !== undefined);
  const first = needs[0];
  if (!first) return undefined;
  const clash = needs.find((d) => !sameKey(d.key, first.key));
  if (clash) {
    throw new Error(`processors ${first.id} and ${clash.id} need different partition keys (${describeKey(first.key)} and ${describeKey(clash.key)}); put them in separate pipelines joined by a connector`);
  }
  return first.key;
}

/** Whether two keys partition alike. */
export function sameKey(a: PartitionKey, b: PartitionKey): boolean {
  return a.by === b.by && (a.by !== 'attribute' || a.name === (b as { name: string }).name);
}

function describeKey(key: PartitionKey): string {
  return key.by === 'attribute' ? `attribute ${key.name}` : key.by;
}
