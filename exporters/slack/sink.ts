/**
 * The slack sink. Incoming webhook: one message per state change. Web API: chat.postMessage on
 * firing, and on resolve chat.update of that same message (its channel and ts are remembered).
 */
import { PermanentError, RetryableError } from '../../pipeline/errors.js';
import { errorOfAnswer, expectOk, request, type Alert, type AlertGroup, type HttpAnswer, type SendContext, type Sink } from '../notify-common/index.js';
import type { Config } from './config.js';
import { slackGroupMessage, slackMessage, type SlackMessage } from './message.js';

/** Web API `error` codes that a later attempt may not get. */
const RETRYABLE_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** A Web API answer body. */
interface ApiAnswer {
  ok: boolean;
  error?: string;
  channel?: string;
  ts?: string;
}

/** Posts and updates Slack messages. */
export class SlackSink implements Sink {
  constructor(private readonly config: Config, private readonly rememberMs: number) {}

  async send(alert: Alert, ctx: SendContext): Promise<void> {
    const message = slackMessage(alert, this.config.trace_url);
    if (this.config.webhook_url !== undefined) {
      // Answers "ok"; errors are 4xx with a code as text (invalid_payload, channel_not_found…).
      expectOk('slack webhook', await request('POST', this.config.webhook_url, message, {}, ctx.signal));
      return;
    }
    const episode = `slack:${alert.fingerprint}:${alert.startsAtMs}`;
    const posted = alert.state === 'resolved' ? await ctx.memory.recall(episode) : undefined;
    if (posted !== undefined) {
      const [channel, ts] = posted.split(' ');
      await this.call('chat.update', { channel, ts, ...message }, ctx.signal);
      return;
    }
    const answer = await this.call('chat.postMessage', { channel: this.config.channel, ...message }, ctx.signal);
    if (alert.state === 'firing' && answer.channel && answer.ts) await ctx.memory.remember(episode, `${answer.channel} ${answer.ts}`, this.rememberMs);
  }

  /**
   * A grouped notification. Incoming webhook: one message per notification. Web API: the group's
   * first notification posts, later ones (changes, repeats, the resolve) update that message.
   */
  async sendGroup(group: AlertGroup, ctx: SendContext): Promise<void> {
    const message: SlackMessage = slackGroupMessage(group, this.config.trace_url);
    if (this.config.webhook_url !== undefined) {
      expectOk('slack webhook', await request('POST', this.config.webhook_url, message, {}, ctx.signal));
      return;
    }
    const episode = `slack:group:${group.groupKey}:${group.startedAtMs}`;
    const posted = await ctx.memory.recall(episode);
    if (posted !== undefined) {
      const [channel, ts] = posted.split(' ');
      await this.call('chat.update', { channel, ts, ...message }, ctx.signal);
      return;
    }
    const answer = await this.call('chat.postMessage', { channel: this.config.channel, ...message }, ctx.signal);
    if (answer.channel && answer.ts) await ctx.memory.remember(episode, `${answer.channel} ${answer.ts}`, this.rememberMs);
  }

  /** One Web API call; `ok: false` becomes a typed error. */
  private async call(method: string, body: unknown, signal: AbortSignal): Promise<ApiAnswer> {
    const answer = await request('POST', `${this.config.api_url.replace(/\/+$/, '')}/${method}`, body, {
      authorization: `Bearer ${this.config.token ?? ''}`, 'content-type': 'application/json; charset=utf-8',
    }, signal);
    if (answer.status !== 200) throw errorOfAnswer(`slack ${method}`, answer);
    const parsed = parse(answer);
    if (parsed.ok) return parsed;
    const message = `slack ${method}: ${parsed.error ?? 'unknown error'}`;
    if (RETRYABLE_ERRORS.has(parsed.error ?? '')) throw new RetryableError(message);
    throw new PermanentError(message);
  }
}

function parse(answer: HttpAnswer): ApiAnswer {
  try {
    return JSON.parse(answer.text) as ApiAnswer;
  } catch {
    throw new RetryableError(`slack answered 200 with a body that is not JSON: ${answer.text.slice(0, 200)}`);
  }
}
