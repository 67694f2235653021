/** Config of the pagerduty exporter: the Events API v2 integration key, the event fields, and the shared delivery keys. */
import { z } from 'zod';
import { deliveryShape, httpUrl } from '../notify-common/config.js';

/** The Events API v2 enqueue URL. */
export const DEFAULT_ENDPOINT = 'https://events.pagerduty.com/v2/enqueue';
/** The Events API accepts about 120 events a minute per integration key. */
export const DEFAULT_PER_SECOND = 2;

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  /** The integration (routing) key of an Events API v2 integration: 32 characters. */
  routing_key: z.string().length(32, { error: 'expected the 32-character integration key of an Events API v2 integration' }),
  endpoint: httpUrl().default(DEFAULT_ENDPOINT),
  /** `payload.source`; default: the alert's `instance`, else `service_name` label, else "vigil". */
  source: z.string().optional(),
  /** `client` and `client_url`: shown in PagerDuty as the monitoring tool, with a link back. */
  client: z.string().default('vigil'),
  client_url: z.string().optional(),
  /** A link per evidence trace: `{trace_id}` is replaced (e.g. "https://jaeger.example/trace/{trace_id}"). */
  trace_url: z.string().optional(),
  ...deliveryShape({ perSecond: DEFAULT_PER_SECOND }),
});

/** The parsed pagerduty exporter config. */
export type Config = z.infer<typeof configSchema>;
