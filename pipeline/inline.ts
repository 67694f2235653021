/**
 * Which pipelines run in-line on their upstream's stage log (pipeline/README.md, "In-line
 * pipelines"). A pass-through connector (`forward`) between two pipelines keyed the same way would
 * otherwise produce every record into a second stage log and consume it again, in the same thread:
 * on Kafka a second trip through the broker for data already partitioned as the downstream needs.
 * In-line, the downstream pipeline's chain runs on the upstream record's delivery (same log,
 * partition, offset), so its holds keep the upstream offset uncommitted until the downstream
 * exported or checkpointed the data, and its processors own the upstream log's partitions.
 */
import type { PipelineConfig, ServiceConfig } from '../config/index.js';
import type { ConnectorFactory, ProcessorFactory } from './component.js';
import { pipelineKeyOf, sameKey } from './keys.js';

/**
 * For each pipeline that runs in-line, the id of the pipeline whose record deliveries it runs on
 * (the root: the pipeline that owns a stage log, following in-line chains upstream). A pipeline
 * runs in-line when:
 * - its only receiver is a connector whose factory `passesThrough` (the payload, unchanged);
 * - exactly one pipeline exports to that connector, of the same signal, and it has no processors
 *   (so each payload reaches the connector straight from its stage log, with its delivery, as a
 *   stateful processor downstream requires);
 * - both pipelines key their records the same way (pipelineKeyOf), so the upstream partition
 *   already holds every item the downstream's state needs together;
 * - none of its processors admits (memory_limiter): admission happens where a stage log is appended to.
 */
export function inlinedPipelines(config: ServiceConfig): Map<string, string> {
  const upstreamOf = new Map<string, PipelineConfig>();
  const byId = new Map(config.pipelines.map((p) => [p.id, p]));
  for (const q of config.pipelines) {
    const up = inlineUpstream(config, q);
    if (up) upstreamOf.set(q.id, up);
  }
  const out = new Map<string, string>();
  for (const id of upstreamOf.keys()) {
    let root = upstreamOf.get(id)!;
    for (let hops = 0; upstreamOf.has(root.id) && hops < byId.size; hops++) root = upstreamOf.get(root.id)!;
    out.set(id, root.id);
  }
  return out;
}

/** The pipeline `q` runs in-line on, if any: its candidate, keyed alike. */
function inlineUpstream(config: ServiceConfig, q: PipelineConfig): PipelineConfig | undefined {
  const p = inlineCandidate(config, q);
  if (!p) return undefined;
  try {
    return sameKey(pipelineKeyOf(config, p), pipelineKeyOf(config, q)) ? p : undefined;
  } catch {
    return undefined; // processors needing different keys: validation reports it
  }
}

/**
 * The pipeline `q` would run in-line on if the two were keyed alike (inlinedPipelines):
 * its only receiver is a pass-through connector that exactly one processor-less pipeline of the
 * same signal exports to, and none of its processors admits.
 */
function inlineCandidate(config: ServiceConfig, q: PipelineConfig): PipelineConfig | undefined {
  if (q.receivers.length !== 1) return undefined;
  const id = q.receivers[0]!;
  const c = config.connectors.get(id);
  if (!c || (c.factory as ConnectorFactory).passesThrough !== true) return undefined;
  const feeding = config.pipelines.filter((p) => p.exporters.includes(id));
  if (feeding.length !== 1) return undefined;
  const p = feeding[0]!;
  if (p.id === q.id || p.signal !== q.signal || p.processors.length > 0) return undefined;
  if (q.processors.some((pid) => (config.processors.get(pid)?.factory as ProcessorFactory | undefined)?.admits === true)) return undefined;
  return p;
}
