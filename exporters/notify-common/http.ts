/** One JSON request to a notification sink, and its answer as a typed outcome. */
import { PermanentError, RetryableError, messageOf } from '../../pipeline/errors.js';
import { parseRetryAfter } from '../exporterhelper/index.js';

/** Statuses worth retrying: timeouts, throttling, server errors. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Error bodies are quoted this far in messages. */
const MAX_QUOTE = 300;

/** A response read in full (sink answers are small). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** A throttling answer: retried after `retryAfterMs`, and the sink's rate limiter paused as long. */
export class ThrottledError extends RetryableError {
  override readonly name = 'ThrottledError';
}

/** Sends `body` (JSON unless a string) and reads the answer; network failures are retryable. */
export async function request(method: string, url: string, body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method, signal,
      headers: { 'content-type': 'application/json', 'user-agent': 'vigil', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  } catch (err) {
    if (signal.aborted) throw signal.reason as Error;
    throw new RetryableError(`${method} ${url} failed: ${messageOf((err as { cause?: unknown }).cause ?? err)}`, undefined, { cause: err });
  }
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The error a non-success answer becomes: 429 throttles, 408/5xx retry, other statuses are permanent. */
export function errorOfAnswer(what: string, a: HttpAnswer): Error {
  const message = `${what}: HTTP ${a.status}${a.text ? `: ${a.text.slice(0, MAX_QUOTE)}` : ''}`;
  const retryAfter = parseRetryAfter(a.headers.get('retry-after') ?? undefined);
  if (a.status === 429) return new ThrottledError(message, retryAfter);
  if (RETRYABLE.has(a.status)) return new RetryableError(message, retryAfter);
  return new PermanentError(message);
}

/** Throws the answer's error unless its status is 2xx. */
export function expectOk(what: string, a: HttpAnswer): HttpAnswer {
  if (a.status >= 200 && a.status < 300) return a;
  throw errorOfAnswer(what, a);
}
