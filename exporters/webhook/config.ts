/** Config of the webhook exporter: where to POST, how to sign, and the shared delivery keys. */
import { z } from 'zod';
import { headersSchema } from '../exporterhelper/index.js';
import { deliveryShape, httpUrl } from '../notify-common/config.js';

/** A Standard Webhooks secret: `whsec_` and base64 of the key (the prefix is optional, as the spec's libraries allow). */
const secret = z.string().refine((s) => {
  const b64 = s.startsWith('whsec_') ? s.slice(6) : s;
  return /^[A-Za-z0-9+/]+={0,2}$/.test(b64) && Buffer.from(b64, 'base64').length >= 16;
}, { error: 'expected a Standard Webhooks secret: "whsec_" followed by base64 of at least 16 bytes' });

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  endpoint: httpUrl(),
  /** Signs every request with webhook-id, webhook-timestamp, webhook-signature; unsigned when absent. */
  secret: secret.optional(),
  headers: headersSchema,
  /** The payload's `receiver`; default: the exporter id. */
  receiver: z.string().optional(),
  /** The payload's `externalURL`: where people can see the alerts (vigil's query API, a dashboard). */
  external_url: z.string().default(''),
  ...deliveryShape({ perSecond: 10 }),
});

/** The parsed webhook exporter config. */
export type Config = z.infer<typeof configSchema>;
