/**
 * Config of the slack exporter: an incoming webhook (`webhook_url`), or the Web API (`token` and
 * `channel`: chat.postMessage, and chat.update on resolve), and the shared delivery keys.
 */
import { z } from 'zod';
import { deliveryShape, httpUrl } from '../notify-common/config.js';

/** Slack's Web API base URL. */
export const DEFAULT_API_URL = 'https://slack.com/api';

/** The config schema: unknown keys rejected, defaults filled in; exactly one of webhook_url and token. */
export const configSchema = z.strictObject({
  webhook_url: httpUrl().optional(),
  /** A bot token (xoxb-…) with chat:write. */
  token: z.string().optional(),
  /** The channel id (C…) or name the bot posts to; required with `token`. */
  channel: z.string().optional(),
  api_url: httpUrl().default(DEFAULT_API_URL),
  /** A link per evidence trace: `{trace_id}` is replaced (e.g. "https://jaeger.example/trace/{trace_id}"). */
  trace_url: z.string().optional(),
  // Slack allows about one message a second per channel.
  ...deliveryShape({ perSecond: 1 }),
}).refine((c) => (c.webhook_url === undefined) !== (c.token === undefined), {
  error: 'set either webhook_url (incoming webhook) or token and channel (chat.postMessage)', path: ['webhook_url'],
}).refine((c) => c.token === undefined || c.channel !== undefined, { error: 'a token needs a channel to post to', path: ['channel'] });

/** The parsed slack exporter config. */
export type Config = z.infer<typeof configSchema>;
