/** Config of the alertmanager exporter: the Alertmanager to post to, how often firing alerts are re-sent, and the shared delivery keys. */
import { z } from 'zod';
import { duration } from '../../config/types.js';
import { headersSchema } from '../exporterhelper/index.js';
import { deliveryShape, httpUrl } from '../notify-common/config.js';

/** Prometheus re-sends firing alerts every minute (`--rules.alert.resend-delay`). */
export const DEFAULT_RESEND_INTERVAL_MS = 60_000;
/** At most this many firing alerts are kept for re-sending; past it the oldest are left to Alertmanager's own timeout. */
export const MAX_FIRING = 10_000;

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  /** Alertmanager's base URL; alerts go to `<endpoint>/api/v2/alerts`. */
  endpoint: httpUrl().default('http://localhost:9093'),
  headers: headersSchema,
  /** How often firing alerts are posted again, so Alertmanager keeps them active. */
  resend_interval: duration().default(DEFAULT_RESEND_INTERVAL_MS)
    .refine((ms) => ms >= 100, { error: 'must be at least 100ms' }),
  ...deliveryShape({ perSecond: 50 }),
});

/** The parsed alertmanager exporter config. */
export type Config = z.infer<typeof configSchema>;
