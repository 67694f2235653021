/** Config of the alert_rules processor. */
import { z } from 'zod';
import { duration } from '../../config/types.js';
import { shortAlertsSchema } from './short-form/schema.js';

/** The interval of groups that set none (Prometheus' default evaluation_interval). */
export const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;
/** History kept behind the watermark: the longest range a rule may read, plus the 5m lookback. */
export const DEFAULT_RETENTION_MS = 3_600_000;
/** Wall time without data after which a partition's watermark follows the wall clock. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5_000;
/** The resource attribute the pipeline is partitioned by: every series of a service in one partition. */
export const DEFAULT_PARTITION_BY = 'service.name';

/** The alert_rules processor's config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  /** Prometheus rule files (globs, as Prometheus' rule_files). */
  rule_files: z.array(z.string()).default([]),
  /** Inline rule groups, in the rule-file format. */
  groups: z.array(z.unknown()).default([]),
  /** The short rule form: `condition` over the RED indicators, or `on_events`; `severity`, `cooldown`. */
  alerts: shortAlertsSchema,
  evaluation_interval: duration().default(DEFAULT_EVALUATION_INTERVAL_MS),
  retention: duration().default(DEFAULT_RETENTION_MS),
  allowed_lateness: duration().default(0),
  idle_timeout: duration().default(DEFAULT_IDLE_TIMEOUT_MS),
  partition_by: z.string().min(1).default(DEFAULT_PARTITION_BY),
  external_labels: z.record(z.string(), z.string()).default({}),
  external_url: z.string().default(''),
  /** Pass the received metrics on downstream (alerts are emitted either way). */
  forward_metrics: z.boolean().default(true),
});

/** The parsed config: durations in milliseconds. */
export type Config = z.infer<typeof configSchema>;
