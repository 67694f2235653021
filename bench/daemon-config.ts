/**
 * The pipeline YAML each scenario runs: otlp (gRPC + HTTP) → batch → either an otlp_grpc exporter
 * pointed at the generator's counting sink (the headline, as in the Collector's load tests) or a
 * file exporter, on the embedded memory queue or on Kafka.
 */

/** Where one daemon listens. */
export interface DaemonPorts {
  grpc: number;
  http: number;
  health: number;
  metrics: number;
}

/** The stage log under test. On Kafka, every daemon group gets its own topics and consumer group. */
export type QueueSpec = { type: 'memory' } | { type: 'kafka'; brokers: string[]; topicPrefix: string; groupId: string; partitions: number; compression?: string };

/** What the pipeline sends to. */
export type ExportSpec = { kind: 'sink'; port: number } | { kind: 'file'; path: string };

/** The batch processor's body as a YAML flow map; `{}` (otelcol's defaults: 8192 spans or 200 ms) unless a scenario says otherwise. */
export type BatchYaml = string;

/** The YAML for one daemon. */
export function daemonYaml(ports: DaemonPorts, exporter: ExportSpec, queue: QueueSpec, batch: BatchYaml = '{}'): string {
  return `${receiversToExporters(ports, exporter, batch)}extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
service:
  extensions: [health_check]
${queueYaml(queue)}
  telemetry:
    logs: { level: warn }
    metrics: { address: 127.0.0.1:${ports.metrics} }
${pipelines(exporter)}`;
}

/**
 * The same pipeline for the otelcol peer: the same receivers, batch and exporter sections word for
 * word (both accept them), its self-metrics in otelcol's `readers` form, logs at info so the bench
 * sees "Everything is ready", no health_check (the peer is built without it) and no stage log
 * (otelcol has none; its otlp exporter's default sending queue is its buffer).
 */
export function otelcolYaml(ports: DaemonPorts, exporter: ExportSpec, batch: BatchYaml = '{}'): string {
  return `${receiversToExporters(ports, exporter, batch)}service:
${otelcolTelemetry(ports.metrics)}
${pipelines(exporter)}`;
}

/** otelcol's `service.telemetry` block: its self-metrics on 127.0.0.1:`metricsPort`, in the `readers` form. */
export function otelcolTelemetry(metricsPort: number): string {
  return `  telemetry:
    metrics:
      readers:
        - pull: { exporter: { prometheus: { host: 127.0.0.1, port: ${metricsPort} } } }`;
}

/** The `receivers` section both systems get: otlp on gRPC and HTTP. */
export function otlpReceiversYaml(ports: DaemonPorts): string {
  return `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${ports.grpc}, max_recv_msg_size_mib: 16 }
      http: { endpoint: 127.0.0.1:${ports.http} }
`;
}

/** The `otlp_grpc` exporter entry (under `exporters:`) pointed at the counting sink on `port`. */
export function sinkExporterYaml(port: number): string {
  return `  otlp_grpc:
    endpoint: 127.0.0.1:${port}
    tls: { insecure: true }
    compression: none`;
}

function receiversToExporters(ports: DaemonPorts, exporter: ExportSpec, batch: BatchYaml): string {
  const exporterYaml = exporter.kind === 'sink'
    ? sinkExporterYaml(exporter.port)
    : `  file:
    path: ${JSON.stringify(exporter.path)}`;
  return `${otlpReceiversYaml(ports)}processors:
  batch: ${batch}
exporters:
${exporterYaml}
`;
}

/** vigil's `service.queue` entry (two-space indented, no trailing newline). */
export function queueYaml(queue: QueueSpec): string {
  return queue.type === 'memory'
    ? '  queue: { type: memory }'
    : `  queue:
    type: kafka
    kafka:
      brokers: [${queue.brokers.map((b) => JSON.stringify(b)).join(', ')}]
      topic_prefix: ${JSON.stringify(queue.topicPrefix)}
      group_id: ${JSON.stringify(queue.groupId)}
      partitions: ${queue.partitions}${queue.compression ? `\n      compression: ${queue.compression}` : ''}`;
}

function pipelines(exporter: ExportSpec): string {
  return `  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [${exporter.kind === 'sink' ? 'otlp_grpc' : 'file'}]
`;
}
