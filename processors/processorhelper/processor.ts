/**
 * The Collector's processorhelper for vigil: most processors are a pure function
 * `(payload) → payload | null`; this wraps one into a Processor that counts what comes in and goes
 * out and hands non-null results to the next consumer.
 */
import type { Consumer, CreateSettings, Host, Processor } from '../../pipeline/component.js';
import type { Delivery } from '../../pipeline/delivery.js';
import type { Payload, Signal } from '../../pdata/payload.js';

/** What a processor does to one payload: the payload to pass on, or null to pass nothing. */
export type ProcessFn = (payload: Payload) => Payload | null | Promise<Payload | null>;

/** Everything `createProcessor` needs; only `process` is the processor's own logic. */
export interface ProcessorOptions {
  readonly settings: CreateSettings;
  /** The pipeline id for metric labels; defaults to `pipelineOf(settings, signal)`. */
  readonly pipeline?: string;
  readonly signal: Signal;
  readonly next: Consumer;
  readonly process: ProcessFn;
  readonly start?: (host: Host) => Promise<void>;
  readonly shutdown?: (deadline: number) => Promise<void>;
  /** Asked before data enters the pipeline's stage log; throws a RetryableError to refuse. */
  readonly admit?: (payload: Payload) => void;
}

/** The label set otelcol puts on processor item counters. */
export interface ProcessorLabels {
  processor: string;
  pipeline: string;
  otel_signal: Signal;
}

/**
 * The pipeline a processor runs in. ProcessorFactory.create is not told it, but the graph builder
 * binds it into the processor's logger; without it (tests) the signal name stands in.
 */
export function pipelineOf(settings: CreateSettings, signal: Signal): string {
  if (settings.pipeline !== undefined) return settings.pipeline;
  const bound = (settings.logger.bindings?.() as Record<string, unknown> | undefined)?.pipeline;
  return typeof bound === 'string' && bound !== '' ? bound : signal;
}

/** The labels of `processorIncoming`/`processorOutgoing`/`processorRefused` for one processor instance. */
export function processorLabels(settings: CreateSettings, signal: Signal, pipeline?: string): ProcessorLabels {
  return { processor: settings.id.id, pipeline: pipeline ?? pipelineOf(settings, signal), otel_signal: signal };
}

/** Wraps a pure payload function into a counted Processor. */
export function createProcessor(options: ProcessorOptions): Processor {
  return new HelperProcessor(options);
}

class HelperProcessor implements Processor {
  private readonly labels: ProcessorLabels;
  readonly admit?: (payload: Payload) => void;

  constructor(private readonly options: ProcessorOptions) {
    this.labels = processorLabels(options.settings, options.signal, options.pipeline);
    // Only processors that refuse get an `admit`: the graph builder asks every processor that has one.
    if (options.admit) this.admit = options.admit;
  }

  async start(host: Host): Promise<void> {
    await this.options.start?.(host);
  }

  async shutdown(deadline: number): Promise<void> {
    await this.options.shutdown?.(deadline);
  }

  async consume(payload: Payload, delivery?: Delivery): Promise<void> {
    const { metrics } = this.options.settings;
    metrics.processorIncoming.inc(this.labels, payload.itemCount);
    const out = await this.options.process(payload);
    if (out === null) return;
    metrics.processorOutgoing.inc(this.labels, out.itemCount);
    await this.options.next.consume(out, delivery);
  }
}
