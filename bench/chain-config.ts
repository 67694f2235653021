/**
 * The analytics chain's pipeline, for vigil and for otelcol (issue 10): otlp → a traces pipeline
 * exporting to the span_metrics connector and a forward connector → a second traces pipeline with
 * tail_sampling (latency 500 ms, status_code ERROR, probabilistic 10 %) and batch → otlp_grpc to the
 * counting sink; the span metrics go through batch to the same sink. Both systems get the same
 * receivers, processors, connectors, exporters and pipelines, word for word; vigil adds only what it
 * alone has: its stage log's size and the tail sampler's held-bytes bound, set so that neither
 * decides or refuses early where otelcol would not (otelcol holds the same traces in its heap).
 */
import { otelcolTelemetry, otlpReceiversYaml, queueYaml, sinkExporterYaml, type DaemonPorts, type QueueSpec } from './daemon-config.js';

/** `chain`: the throughput run, decisions after 5 s. `hold`: 100 000 traces held undecided, for memory. */
export type ChainKind = 'chain' | 'hold';

/** Each kind's tail_sampling timing and bounds, and vigil's memory bounds (MiB) for it. */
export const CHAIN_SETTINGS: Record<ChainKind, { decisionWait: string; numTraces: number; queueMib: number; heldMib: number }> = {
  // num_traces at otelcol's default; the held bytes for 5 s of a fast run of the realistic spans.
  chain: { decisionWait: '5s', numTraces: 50_000, queueMib: 1024, heldMib: 768 },
  // Nothing decided during a fill of 100 000 traces (1 M spans): a long wait, twice the traces.
  hold: { decisionWait: '10m', numTraces: 200_000, queueMib: 3072, heldMib: 2560 },
};

/** The probabilistic policy's share of the traces no other policy keeps. */
export const PROBABILISTIC_PERCENT = 10;

/** How often the span metrics are flushed (both systems). */
export const SPAN_METRICS_FLUSH = '5s';

function sections(ports: DaemonPorts, sinkPort: number, kind: ChainKind, vigil: boolean): string {
  const s = CHAIN_SETTINGS[kind];
  return `${otlpReceiversYaml(ports)}processors:
  batch: {}
  tail_sampling:
    decision_wait: ${s.decisionWait}
    num_traces: ${s.numTraces}
    drop_pending_traces_on_shutdown: true${vigil ? `\n    max_held_size_mib: ${s.heldMib}` : ''}
    policies:
      - { name: slow, type: latency, latency: { threshold_ms: 500 } }
      - { name: errors, type: status_code, status_code: { status_codes: [ERROR] } }
      - { name: some-of-the-rest, type: probabilistic, probabilistic: { sampling_percentage: ${PROBABILISTIC_PERCENT} } }
connectors:
  span_metrics:
    metrics_flush_interval: ${SPAN_METRICS_FLUSH}
  forward/sampling: {}
exporters:
${sinkExporterYaml(sinkPort)}
`;
}

const PIPELINES = `  pipelines:
    traces:
      receivers: [otlp]
      exporters: [span_metrics, forward/sampling]
    traces/sampled:
      receivers: [forward/sampling]
      processors: [tail_sampling, batch]
      exporters: [otlp_grpc]
    metrics:
      receivers: [span_metrics]
      processors: [batch]
      exporters: [otlp_grpc]
`;

/** vigil's YAML for the chain: on the memory queue sized for `kind`, or on the Kafka stage log `queue`. */
export function vigilChainYaml(ports: DaemonPorts, sinkPort: number, kind: ChainKind, queue?: QueueSpec): string {
  const queueEntry = queue?.type === 'kafka' ? queueYaml(queue) : `  queue: { type: memory, memory: { max_size_mib: ${CHAIN_SETTINGS[kind].queueMib} } }`;
  return `${sections(ports, sinkPort, kind, true)}extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
service:
  extensions: [health_check]
${queueEntry}
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:${ports.metrics} }
${PIPELINES}`;
}

/** otelcol's YAML for the same chain (logs at info: the bench waits for "Everything is ready"). */
export function otelcolChainYaml(ports: DaemonPorts, sinkPort: number, kind: ChainKind): string {
  return `${sections(ports, sinkPort, kind, false)}service:
${otelcolTelemetry(ports.metrics)}
${PIPELINES}`;
}
