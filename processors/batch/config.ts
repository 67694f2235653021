/**
 * Config of the batch processor: the OpenTelemetry Collector's batchprocessor keys and defaults, so
 * an otelcol config for it loads unchanged.
 */
import { z } from 'zod';
import { duration, integer } from '../../config/types.js';

/** otelcol's default size trigger, in items (spans, data points, log records). */
export const DEFAULT_SEND_BATCH_SIZE = 8192;
/** 0: batches are never split. */
export const DEFAULT_SEND_BATCH_MAX_SIZE = 0;
/** otelcol's default time trigger. */
export const DEFAULT_TIMEOUT_MS = 200;
/** otelcol's default; accepted, unused while metadata_keys must be empty. */
export const DEFAULT_METADATA_CARDINALITY_LIMIT = 1000;

const UINT32_MAX = 2 ** 32 - 1;

/** The batch processor's config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  send_batch_size: integer(0, UINT32_MAX).default(DEFAULT_SEND_BATCH_SIZE),
  send_batch_max_size: integer(0, UINT32_MAX).default(DEFAULT_SEND_BATCH_MAX_SIZE),
  timeout: duration().default(DEFAULT_TIMEOUT_MS),
  // Payloads carry no client metadata (the otlp receiver's include_metadata does nothing yet).
  metadata_keys: z.array(z.string()).max(0, {
    error: 'not supported: vigil payloads carry no client metadata, so batching by metadata keys is not possible; remove metadata_keys',
  }).default([]),
  metadata_cardinality_limit: integer(0, UINT32_MAX).default(DEFAULT_METADATA_CARDINALITY_LIMIT),
}).refine((c) => c.send_batch_max_size === 0 || c.send_batch_max_size >= c.send_batch_size, {
  error: 'send_batch_max_size must be 0 (no limit) or at least send_batch_size',
  path: ['send_batch_max_size'],
});

/** The parsed config: `timeout` in milliseconds. */
export type Config = z.infer<typeof configSchema>;
