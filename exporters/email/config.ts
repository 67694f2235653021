/** Config of the email exporter: the SMTP server, the envelope, and the shared delivery keys. */
import { z } from 'zod';
import { tlsSchema } from '../../config/tls.js';
import { endpoint } from '../../config/types.js';
import { deliveryShape } from '../notify-common/config.js';

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  /** The SMTP server, `host:port` (587 for submission with STARTTLS, 465 with implicit_tls). */
  endpoint: endpoint(),
  /** `required` (default): refuse to send unless the server offers STARTTLS; `opportunistic`: upgrade when offered; `none`: never. */
  starttls: z.enum(['required', 'opportunistic', 'none'], { error: 'expected "required", "opportunistic" or "none"' }).default('required'),
  /** TLS from the first byte (SMTPS, port 465) instead of STARTTLS. */
  implicit_tls: z.boolean().default(false),
  tls: tlsSchema.prefault({}),
  username: z.string().optional(),
  password: z.string().optional(),
  from: z.string().min(1, { error: 'expected a sender address' }),
  to: z.array(z.string().min(1)).min(1, { error: 'expected at least one recipient' }),
  /** The name given in EHLO; default: the host name. */
  hello: z.string().optional(),
  ...deliveryShape({ perSecond: 5 }),
}).refine((c) => (c.username === undefined) === (c.password === undefined), { error: 'set username and password together', path: ['password'] });

/** The parsed email exporter config. */
export type Config = z.infer<typeof configSchema>;
