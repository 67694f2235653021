/** Small fake factories for config tests: the real components are built elsewhere and change under us. */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type {
  ConnectorFactory, ExporterFactory, ExtensionFactory, Factory, ProcessorFactory, ReceiverFactory,
} from '../pipeline/component.js';
import type { LoadResult } from './model.js';
import { loadConfig } from './loader.js';
import { duration, endpoint, integer } from './types.js';

const never = (): never => {
  throw new Error('config tests never create components');
};
const ALL = { traces: 'stable', metrics: 'stable', logs: 'stable' } as const;

// `grpc:` with no value means "on, with defaults", as in otelcol.
const nullAsEmpty = (v: unknown): unknown => (v === null ? {} : v);
const otlpReceiverSchema = z.strictObject({
  protocols: z.strictObject({
    grpc: z.preprocess(nullAsEmpty, z.strictObject({ endpoint: endpoint().default('localhost:4317'), max_recv_msg_size_mib: integer(1, 64).default(4) })).optional(),
    http: z.preprocess(nullAsEmpty, z.strictObject({ endpoint: endpoint().default('localhost:4318') })).optional(),
  }),
});
export const otlpReceiver: ReceiverFactory<z.infer<typeof otlpReceiverSchema>> = {
  type: 'otlp', kind: 'receiver', stability: ALL, configSchema: otlpReceiverSchema,
  createDefaultConfig: () => ({ protocols: { grpc: { endpoint: 'localhost:4317', max_recv_msg_size_mib: 4 } } }),
  create: never,
};

const kafkaReceiverSchema = z.strictObject({ brokers: z.array(endpoint()).min(1), topic: z.string().default('otlp_spans') });
export const kafkaReceiver: ReceiverFactory<z.infer<typeof kafkaReceiverSchema>> = {
  type: 'kafka', kind: 'receiver', stability: { traces: 'alpha', logs: 'alpha' }, configSchema: kafkaReceiverSchema,
  createDefaultConfig: () => ({ brokers: ['localhost:9092'], topic: 'otlp_spans' }), create: never,
};

const batchSchema = z.strictObject({
  send_batch_size: integer(0).default(8192),
  send_batch_max_size: integer(0).default(0),
  timeout: duration().default(200),
});
export const batch: ProcessorFactory<z.infer<typeof batchSchema>> = {
  type: 'batch', kind: 'processor', stability: ALL, configSchema: batchSchema,
  createDefaultConfig: () => batchSchema.parse({}), create: never,
};

const tailSchema = z.strictObject({
  decision_wait: duration().default(30_000),
  num_traces: integer(1).default(50_000),
  policies: z.array(z.strictObject({ name: z.string(), type: z.enum(['always_sample', 'latency', 'status_code']) })).default([]),
});
export const tailSampling: ProcessorFactory<z.infer<typeof tailSchema>> = {
  type: 'tail_sampling', kind: 'processor', stability: { traces: 'beta' }, configSchema: tailSchema,
  createDefaultConfig: () => tailSchema.parse({}), create: never,
};

const samplerSchema = z.strictObject({ sampling_percentage: z.number().min(0).max(100).default(100), hash_seed: integer(0, 2 ** 32 - 1).default(0) });
export const sampler: ProcessorFactory<z.infer<typeof samplerSchema>> = {
  type: 'probabilistic_sampler', kind: 'processor', stability: { traces: 'beta', logs: 'alpha' }, configSchema: samplerSchema,
  createDefaultConfig: () => samplerSchema.parse({}), create: never,
};

const otlpExporterSchema = z.strictObject({
  endpoint: endpoint(),
  timeout: duration().default(5000),
  retry_on_failure: z.strictObject({ enabled: z.boolean().default(true), max_elapsed_time: duration().default(300_000) }).prefault({}),
});
export const otlpGrpcExporter: ExporterFactory<z.infer<typeof otlpExporterSchema>> = {
  type: 'otlp_grpc', aliases: ['otlp'], kind: 'exporter', stability: ALL, configSchema: otlpExporterSchema,
  createDefaultConfig: () => otlpExporterSchema.parse({ endpoint: 'localhost:4317' }), create: never,
};

const debugSchema = z.strictObject({ verbosity: z.enum(['basic', 'normal', 'detailed']).default('basic') });
export const debugExporter: ExporterFactory<z.infer<typeof debugSchema>> = {
  type: 'debug', kind: 'exporter', stability: ALL, configSchema: debugSchema,
  createDefaultConfig: () => ({ verbosity: 'basic' }), create: never,
};

const promSchema = z.strictObject({ endpoint: endpoint().default('localhost:8889') });
export const prometheusExporter: ExporterFactory<z.infer<typeof promSchema>> = {
  type: 'prometheus', kind: 'exporter', stability: { metrics: 'beta' }, configSchema: promSchema,
  createDefaultConfig: () => ({ endpoint: 'localhost:8889' }), create: never,
};

const spanmetricsSchema = z.strictObject({ dimensions: z.array(z.string()).default([]) });
export const spanmetrics: ConnectorFactory<z.infer<typeof spanmetricsSchema>> = {
  type: 'spanmetrics', kind: 'connector', stability: { traces: 'alpha' }, connects: { traces: ['metrics'] },
  configSchema: spanmetricsSchema, createDefaultConfig: () => ({ dimensions: [] }), create: never,
};

const forwardSchema = z.strictObject({});
export const forward: ConnectorFactory<z.infer<typeof forwardSchema>> = {
  type: 'forward', kind: 'connector', stability: ALL, connects: { traces: ['traces'], metrics: ['metrics'], logs: ['logs'] },
  configSchema: forwardSchema, createDefaultConfig: () => ({}), create: never,
};

const healthSchema = z.strictObject({ endpoint: endpoint().default('localhost:13133') });
export const healthCheck: ExtensionFactory<z.infer<typeof healthSchema>> = {
  type: 'health_check', kind: 'extension', stability: {}, configSchema: healthSchema,
  createDefaultConfig: () => ({ endpoint: 'localhost:13133' }), create: never,
};

/** Every fake factory, as a binary would register them. */
export const FACTORIES: readonly Factory[] = [
  otlpReceiver, kafkaReceiver, batch, tailSampling, sampler, otlpGrpcExporter, debugExporter, prometheusExporter,
  spanmetrics, forward, healthCheck,
];

/** Absolute path of a file in config/testdata (tests run from dist/config). */
export function testdata(name: string): string {
  return fileURLToPath(new URL(`../../config/testdata/${name}`, import.meta.url));
}

/** Loads testdata files with the fake factories and an explicit environment. */
export function loadTestdata(names: readonly string[], options: { sets?: string[]; env?: Record<string, string> } = {}): LoadResult {
  return loadConfig({ files: names.map(testdata), sets: options.sets, factories: FACTORIES, env: options.env ?? {} });
}

/** Errors (or warnings) as printed, with the testdata directory cut off the file names. */
export function printed(list: readonly { toString(): string }[]): string[] {
  const dir = testdata('');
  return list.map((e) => String(e).split(dir).join(''));
}
