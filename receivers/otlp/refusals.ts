/**
 * Refused exports: counted by reason in requests and bytes (decoded or not), logged at debug, and a
 * warning only once per burst.
 */
import type { Logger } from 'pino';
import { MemoryLimitError, QueueFullError, ShuttingDownError, isPermanent, messageOf } from '../../pipeline/errors.js';
import type { SelfMetrics } from '../../pipeline/telemetry.js';

/** A burst ends after this long without refusals; the next refusal warns again. */
export const BURST_QUIET_MS = 10_000;

/** Why a request was refused, the `reason` label of vigil_receiver_refused_*. */
export type RefusalReason = 'queue_full' | 'memory_limit' | 'shutting_down' | 'unavailable' | 'permanent';

/**
 * The reason of a refusal, from the error's type (`permanent`: the pipeline rejected the data for
 * good, answered INTERNAL / 500; `unavailable`: any other retryable refusal, such as Kafka away). `closing` says the receiver itself is shutting
 * down: whatever the pipeline then answers (a stage log draining says UnavailableError) is because of it.
 */
export function refusalReason(err: unknown, closing: boolean): RefusalReason {
  if (isPermanent(err)) return 'permanent';
  if (err instanceof QueueFullError) return 'queue_full';
  if (err instanceof MemoryLimitError) return 'memory_limit';
  if (err instanceof ShuttingDownError || closing) return 'shutting_down';
  return 'unavailable';
}

/** One refused request: what the receiver knows of it at the moment it refuses. */
export interface Refusal {
  readonly receiver: string;
  readonly signal: string;
  readonly transport: string;
  readonly reason: RefusalReason;
  readonly bytes: number;
  /** Undefined when refused before the request was decoded. */
  readonly items: number | undefined;
}

/** Counts refusals and warns at the first of each burst, with how many the previous burst had. */
export class RefusalLog {
  private lastAt = -Infinity;
  private inBurst = 0;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: SelfMetrics | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts and logs one refused request. */
  note(err: unknown, r: Refusal): void {
    const labels = { receiver: r.receiver, transport: r.transport, otel_signal: r.signal, reason: r.reason };
    this.metrics?.receiverRefusedRequests.inc(labels);
    this.metrics?.receiverRefusedBytes.inc(labels, r.bytes);
    const now = this.now();
    const { signal, transport, reason, items } = r;
    this.logger.debug({ err, signal, transport, reason, items }, 'export refused');
    if (now - this.lastAt >= BURST_QUIET_MS) {
      this.logger.warn(
        { signal, transport, reason, message: messageOf(err), previousBurst: this.inBurst },
        `refusing exports; further refusals are logged at debug until ${BURST_QUIET_MS / 1000}s pass without one`,
      );
      this.inBurst = 0;
    }
    this.inBurst++;
    this.lastAt = now;
  }
}
