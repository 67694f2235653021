/**
 * Outcomes that cross component boundaries. Everything that is not a PermanentError is retryable:
 * the caller may try again later (with backoff, jitter and any Retry-After the error carries).
 */

/** Data that can never be delivered as it is (malformed, rejected by the backend): do not retry. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/** Bad input from a client: receivers answer 400 / INVALID_ARGUMENT with the message. */
export class InvalidInputError extends PermanentError {}

/** A transient refusal; `retryAfterMs` is a hint the sender SHOULD honour. */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
  constructor(message: string, readonly retryAfterMs?: number, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A bounded queue or log cannot take more now. Receivers answer 429 / RESOURCE_EXHAUSTED with RetryInfo. */
export class QueueFullError extends RetryableError {
  override readonly name = 'QueueFullError';
}

/** Refused to protect the process (memory limit, draining). Receivers answer 503 / UNAVAILABLE. */
export class UnavailableError extends RetryableError {
  override readonly name: string = 'UnavailableError';
}

/** Refused because the process is above its memory limit (memory_limiter). Answered as UnavailableError. */
export class MemoryLimitError extends UnavailableError {
  override readonly name = 'MemoryLimitError';
}

/** Refused because the component or stage log is shutting down (draining). Answered as UnavailableError. */
export class ShuttingDownError extends UnavailableError {
  override readonly name = 'ShuttingDownError';
}

/** True when the error says: do not try again. */
export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError;
}

/** The message of anything thrown, for logs and error bodies. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
