/**
 * The transport-independent half of an export: decode, hand to the pipeline, count, log. gRPC and
 * HTTP differ only in how they read the request and how they say the answer.
 */
import type { Consumer, CreateSettings } from '../../pipeline/component.js';
import { InvalidInputError } from '../../pipeline/errors.js';
import type { DecodeResult } from '../../pdata/index.js';
import type { Signal } from '../../pdata/payload.js';
import { RefusalLog, refusalReason } from './refusals.js';

export type Transport = 'grpc' | 'http';

/** What a successful export answers: how many items were rejected (partial success) and why. */
export interface ExportOutcome {
  readonly rejected: number;
  readonly message: string;
}

/** Runs exports into the pipeline for every signal the receiver is wired into. */
export class Intake {
  private readonly refusals: RefusalLog;
  private closing = false;

  constructor(
    private readonly settings: CreateSettings,
    private readonly next: ReadonlyMap<Signal, Consumer>,
  ) {
    this.refusals = new RefusalLog(settings.logger, settings.metrics);
  }

  /** From now on the receiver is shutting down: refusals are counted with reason shutting_down. */
  close(): void {
    this.closing = true;
  }

  /** True when some pipeline takes this signal from us. */
  serves(signal: Signal): boolean {
    return this.next.has(signal);
  }

  /**
   * Decodes and consumes one request of `bytes` encoded bytes. Resolves once the pipeline accepted
   * it; rejects with the decoder's InvalidInputError or the consumer's error, for the transport to
   * map (status.ts). A pipeline that is full refuses before the request is decoded.
   */
  async export(signal: Signal, transport: Transport, bytes: number, decode: () => DecodeResult): Promise<ExportOutcome> {
    const labels = { receiver: this.settings.id.id, transport };
    const next = this.next.get(signal)!;
    try {
      next.checkRoom?.(bytes);
    } catch (err) {
      // Not decoded, so the item count is unknown: counted as a refused request of `bytes`, not as items.
      this.refuse(err, signal, transport, bytes, undefined);
      throw err;
    }
    let result: DecodeResult;
    try {
      result = decode();
    } catch (err) {
      // The client's fault and the item count is unknown: nothing to count, no warning.
      if (!(err instanceof InvalidInputError)) throw err;
      this.settings.logger.debug({ err, signal, transport }, 'malformed export request');
      throw err;
    }
    const { payload, rejected } = result;
    if (rejected > 0) this.settings.metrics.receiverRefused[signal].inc(labels, rejected);
    if (payload && payload.itemCount > 0) {
      try {
        await next.consume(payload);
      } catch (err) {
        this.settings.metrics.receiverRefused[signal].inc(labels, payload.itemCount);
        this.refuse(err, signal, transport, bytes, payload.itemCount);
        throw err;
      }
      this.settings.metrics.receiverAccepted[signal].inc(labels, payload.itemCount);
    }
    return { rejected, message: rejected > 0 ? (result.rejectMessage ?? `${rejected} items rejected`) : '' };
  }

  private refuse(err: unknown, signal: Signal, transport: Transport, bytes: number, items: number | undefined): void {
    const reason = refusalReason(err, this.closing);
    this.refusals.note(err, { receiver: this.settings.id.id, signal, transport, reason, bytes, items });
  }
}
