/**
 * How the pipeline's typed outcomes become OTLP answers (the OTLP spec's "Failures" and
 * "Throttling" sections), one table for both transports so they can never disagree.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { InvalidInputError, PermanentError, QueueFullError, RetryableError, messageOf } from '../../pipeline/errors.js';

/** Delay suggested to clients when a refusal carries none: long enough to let a queue drain a little. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/** A body (raw or inflated) went past the configured limit. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** One refusal, as each transport says it. */
export interface Failure {
  readonly grpcCode: GrpcStatus;
  readonly httpStatus: number;
  readonly message: string;
  /** Set when the client may retry and should wait this long first (RetryInfo, Retry-After). */
  readonly retryAfterMs?: number;
}

/**
 * Maps an error to its answer. A PermanentError that is not bad input (the pipeline or a backend
 * rejected the data for good) becomes INTERNAL / 500: both are non-retryable in the OTLP spec, and
 * unlike INVALID_ARGUMENT / 400 they do not blame the client's encoding. This is otelcol's choice too.
 * Anything unknown is assumed transient: UNAVAILABLE / 503, so nothing is dropped on a bug of ours.
 */
export function failureOf(err: unknown): Failure {
  const message = messageOf(err);
  if (err instanceof InvalidInputError) return { grpcCode: GrpcStatus.INVALID_ARGUMENT, httpStatus: 400, message };
  if (err instanceof BodyTooLargeError) return { grpcCode: GrpcStatus.RESOURCE_EXHAUSTED, httpStatus: 413, message };
  if (err instanceof PermanentError) return { grpcCode: GrpcStatus.INTERNAL, httpStatus: 500, message };
  if (err instanceof QueueFullError) {
    // RESOURCE_EXHAUSTED is retryable only with RetryInfo, so a delay is always attached.
    return { grpcCode: GrpcStatus.RESOURCE_EXHAUSTED, httpStatus: 429, message, retryAfterMs: err.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS };
  }
  if (err instanceof RetryableError) return { grpcCode: GrpcStatus.UNAVAILABLE, httpStatus: 503, message, retryAfterMs: err.retryAfterMs };
  return { grpcCode: GrpcStatus.UNAVAILABLE, httpStatus: 503, message: `temporarily unable to accept data: ${message}` };
}

/** The Retry-After header value for a retryable HTTP answer: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(failure: Failure): string {
  return String(Math.max(1, Math.ceil((failure.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS) / 1000)));
}
