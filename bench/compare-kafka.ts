/**
 * The Kafka-buffered gateway of issue 13's comparison: vigil with its Kafka stage log (one process:
 * receive → topic → consume → batch → export) against otelcol's two-tier equivalent (a gateway whose
 * kafka exporter writes the topic, and a second collector whose kafka receiver reads it and
 * forwards). Both acknowledge a request only once Kafka has it from every in-sync replica (vigil
 * always does; otelcol is set to `required_acks: -1` without a sending queue, or it would
 * acknowledge data that is only in memory). Offered at one fixed rate; CPU is both otelcol
 * processes together.
 */
import { Kafka, logLevel } from 'kafkajs';
import { createTopicsWithLeaders } from '../pipeline/kafka/topics.js';
import { dropTopics } from '../test/kafka.js';
import { BenchDaemon, freePorts } from './daemon.js';
import { daemonYaml, otelcolTelemetry, type DaemonPorts } from './daemon-config.js';
import { measuredPhase, peakRss, waitForSink, type Measured } from './measure.js';
import type { BenchContext } from './scenarios.js';

/** The offered rate of the Kafka path: well inside what both sustain on a 2-core machine. */
export const KAFKA_RATE = 20_000;
const PARTITIONS = 8;
const DRAIN_TIMEOUT_MS = 60_000;

/** What one system measured on the Kafka path. */
export interface KafkaPathMeasure {
  measured: Measured;
  peakRssBytes: number;
}

/** Runs the Kafka path on vigil (no `otelcol`) or on otelcol's two tiers. */
export async function kafkaPath(ctx: BenchContext, brokers: string[], otelcol: string | undefined): Promise<KafkaPathMeasure> {
  const run = `vigil-cmp-${process.pid}-${Date.now().toString(36)}`;
  const daemons: BenchDaemon[] = [];
  try {
    let target: number;
    if (otelcol) {
      const topic = `${run}.spans`;
      await createTopic(brokers, topic);
      const [grpc, http, metricsA, metricsB] = (await freePorts(4)) as [number, number, number, number];
      // The consuming tier first, so it has joined its group before anything is written.
      daemons.push(await BenchDaemon.start({ yaml: consumerTier(brokers, topic, run, ctx.gen.sinkPort, metricsB), healthPort: 0, metricsPort: metricsB, otelcol }));
      daemons.push(await BenchDaemon.start({ yaml: gatewayTier(brokers, topic, { grpc, http, health: 0, metrics: metricsA }), healthPort: 0, metricsPort: metricsA, otelcol }));
      target = grpc;
    } else {
      const [grpc, http, health, metrics] = (await freePorts(4)) as [number, number, number, number];
      const ports = { grpc, http, health, metrics };
      const yaml = daemonYaml(ports, { kind: 'sink', port: ctx.gen.sinkPort }, { type: 'kafka', brokers, topicPrefix: run, groupId: run, partitions: PARTITIONS });
      daemons.push(await BenchDaemon.start({ yaml, healthPort: health, metricsPort: metrics, nodeArgs: ctx.nodeArgs }));
      target = grpc;
    }
    await ctx.gen.resetSink();
    const measured = await measuredPhase(ctx.gen, daemons, {
      transport: 'grpc', targets: [`127.0.0.1:${target}`], mode: 'rate', rateSpansPerSec: KAFKA_RATE,
      concurrency: ctx.concurrency, warmupMs: ctx.warmupMs, durationMs: ctx.durationMs,
    });
    const drained = await waitForSink(ctx.gen, measured.phase.ackedSpans, performance.now(), DRAIN_TIMEOUT_MS);
    if (drained.ms < 0) throw new Error(`${measured.phase.ackedSpans} spans acknowledged, ${drained.sinkSpans} reached the sink`);
    return { measured, peakRssBytes: peakRss(daemons) };
  } finally {
    for (const d of daemons.reverse()) await d.stop();
    await dropTopics(brokers, run).catch(() => {});
  }
}

async function createTopic(brokers: string[], topic: string): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'vigil-bench', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: PARTITIONS, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(16 * 1024 * 1024) }] }]);
  } finally {
    await admin.disconnect();
  }
}

/** otelcol's first tier: OTLP in, straight to Kafka, acknowledged once every in-sync replica has it. */
function gatewayTier(brokers: string[], topic: string, ports: DaemonPorts): string {
  return `receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${ports.grpc}, max_recv_msg_size_mib: 16 }
      http: { endpoint: 127.0.0.1:${ports.http} }
exporters:
  kafka:
    brokers: [${brokers.join(', ')}]
    traces: { topic: ${topic} }
    producer: { required_acks: -1, max_message_bytes: 16777216 }
    sending_queue: { enabled: false }
service:
${otelcolTelemetry(ports.metrics)}
  pipelines:
    traces: { receivers: [otlp], exporters: [kafka] }
`;
}

/** otelcol's second tier: the topic in, batch, OTLP/gRPC out to the sink. */
function consumerTier(brokers: string[], topic: string, group: string, sinkPort: number, metricsPort: number): string {
  return `receivers:
  kafka:
    brokers: [${brokers.join(', ')}]
    group_id: ${group}
    initial_offset: earliest
    traces: { topics: [${topic}] }
processors:
  batch: {}
exporters:
  otlp_grpc:
    endpoint: 127.0.0.1:${sinkPort}
    tls: { insecure: true }
    compression: none
service:
${otelcolTelemetry(metricsPort)}
  pipelines:
    traces: { receivers: [kafka], processors: [batch], exporters: [otlp_grpc] }
`;
}
