/** OTLP/HTTP answers as typed outcomes: the OTLP spec's retryable statuses, Retry-After, Status bodies. */
import { PermanentError, RetryableError } from '../../pipeline/errors.js';
import { parseRetryAfter, parseRpcStatus } from '../exporterhelper/index.js';

/** Retryable per the OTLP/HTTP spec. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/** The message of a google.rpc.Status error body (protobuf or JSON), else the body's text, shortened. */
export function errorMessage(body: Buffer, contentType: string | undefined): string {
  if (body.length === 0) return '';
  if (contentType?.includes('protobuf')) return parseRpcStatus(body)?.message ?? '';
  const text = body.toString('utf8', 0, Math.min(body.length, 1024));
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: a proxy's HTML or plain text page.
  }
  return text.trim();
}

/** The error a non-2xx response becomes. */
export function errorOfResponse(status: number, body: Buffer, contentType: string | undefined, retryAfter: string | undefined): Error {
  const detail = errorMessage(body, contentType);
  const message = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (RETRYABLE.has(status)) return new RetryableError(message, parseRetryAfter(retryAfter));
  return new PermanentError(message);
}
