/** Shared sending machinery for exporters: queue, timeout, retries, throttle hints, metrics. */
export { createSender, type Sender, type SenderOptions, type SendFn, type SendResult } from './sender.js';
export {
  DEFAULT_TIMEOUT_MS, defaultQueue, defaultRetry, queueSchema, retrySchema, timeoutSchema, type QueueConfig, type RetryConfig,
} from './config.js';
export { parseRetryAfter, parseRpcStatus, type RpcStatus } from './throttle.js';
export { headersSchema } from './headers.js';
export { partialSuccess, partialSuccessJson } from './otlp-response.js';
