/** The webhook sink: Alertmanager's v4 payload, POSTed, signed per Standard Webhooks. */
import { createHash } from 'node:crypto';
import type { Alert, AlertGroup, SendContext, Sink } from '../notify-common/index.js';
import { expectOk, request } from '../notify-common/index.js';
import type { Config } from './config.js';
import { webhookGroupMessage, webhookMessage, type WebhookMessage } from './payload.js';
import { secretKey, signatureHeaders } from './sign.js';

/** POSTs one payload per alert state change, or per grouped notification. */
export class WebhookSink implements Sink {
  private readonly key: Buffer | undefined;

  constructor(private readonly config: Config, private readonly receiver: string, private readonly now: () => number = Date.now) {
    this.key = config.secret === undefined ? undefined : secretKey(config.secret);
  }

  async send(alert: Alert, ctx: SendContext): Promise<void> {
    await this.post(webhookMessage(alert, this.config.receiver ?? this.receiver, this.config.external_url), ctx);
  }

  async sendGroup(group: AlertGroup, ctx: SendContext): Promise<void> {
    await this.post(webhookGroupMessage(group, this.config.receiver ?? this.receiver, this.config.external_url), ctx);
  }

  private async post(message: WebhookMessage, ctx: SendContext): Promise<void> {
    const body = JSON.stringify(message);
    // The same id on every retry, so the receiver can drop what it already processed.
    const id = `msg_${createHash('sha256').update(ctx.key).digest('base64url').slice(0, 27)}`;
    const signed = this.key ? signatureHeaders(this.key, id, Math.floor(this.now() / 1000), body) : { 'webhook-id': id };
    expectOk(`webhook ${this.config.endpoint}`, await request('POST', this.config.endpoint, body, { ...this.config.headers, ...signed }, ctx.signal));
  }
}
