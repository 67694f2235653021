/** The pagerduty sink: one Events API v2 event per alert state change or acknowledgement; 202 is success, 429 and 5xx are retried. */
import { PermanentError } from '../../pipeline/errors.js';
import { errorOfAnswer, request, type Acknowledgement, type Alert, type AlertGroup, type SendContext, type Sink } from '../notify-common/index.js';
import type { Config } from './config.js';
import { pagerDutyAckEvent, pagerDutyEvent, pagerDutyGroupEvent, type PagerDutyEvent } from './event.js';

/** Enqueues events. */
export class PagerDutySink implements Sink {
  constructor(private readonly config: Config) {}

  async send(alert: Alert, ctx: SendContext): Promise<void> {
    await this.enqueue(pagerDutyEvent(alert, this.config), ctx);
  }

  /** A grouped notification: one incident per group (dedup_key from the group key). */
  async sendGroup(group: AlertGroup, ctx: SendContext): Promise<void> {
    await this.enqueue(pagerDutyGroupEvent(group, this.config), ctx);
  }

  /** A silence took a notified firing in hand: the incident is acknowledged (same dedup_key as its trigger). */
  async acknowledge(ack: Acknowledgement, ctx: SendContext): Promise<void> {
    await this.enqueue(pagerDutyAckEvent(ack, this.config), ctx);
  }

  private async enqueue(event: PagerDutyEvent, ctx: SendContext): Promise<void> {
    const answer = await request('POST', this.config.endpoint, event, {}, ctx.signal);
    // The API answers 202 Accepted; other 2xx would be a proxy's doing, accepted as well.
    if (answer.status >= 200 && answer.status < 300) return;
    if (answer.status === 400) {
      // {"status":"invalid event","message":"Event object is invalid","errors":[...]}
      throw new PermanentError(`pagerduty refused the event: ${errorsOf(answer.text)}`);
    }
    throw errorOfAnswer('pagerduty', answer);
  }
}

function errorsOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: string; errors?: string[] };
    return [body.message, ...(body.errors ?? [])].filter(Boolean).join('; ');
  } catch {
    return text.slice(0, 300);
  }
}
