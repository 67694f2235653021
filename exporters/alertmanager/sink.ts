/**
 * The alertmanager sink: POST /api/v2/alerts. A firing alert is posted with an endsAt a few resend
 * intervals ahead (as Prometheus does) and posted again every `resend_interval` while it fires, so
 * Alertmanager keeps it active and resolves it by itself if vigil goes away; a resolve is posted
 * with its endsAt.
 */
import type { Logger } from 'pino';
import { messageOf } from '../../pipeline/errors.js';
import { expectOk, request, type Alert, type SendContext, type Sink } from '../notify-common/index.js';
import { MAX_FIRING, type Config } from './config.js';

/** Prometheus' factor: a firing alert is valid for this many resend intervals. */
const VALIDITY_INTERVALS = 4;

/** One alert as Alertmanager's API v2 takes it (postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** Posts alerts and keeps the firing ones alive. */
export class AlertmanagerSink implements Sink {
  private readonly firing = new Map<string, Alert>();
  private timer: NodeJS.Timeout | undefined;
  private readonly url: string;

  constructor(private readonly config: Config, private readonly logger: Logger, private readonly now: () => number = Date.now) {
    this.url = `${config.endpoint.replace(/\/+$/, '')}/api/v2/alerts`;
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => { void this.resend(); }, this.config.resend_interval);
    this.timer.unref();
  }

  async send(alert: Alert, ctx: SendContext): Promise<void> {
    await this.post([alert], ctx.signal);
    if (alert.state === 'resolved') {
      this.firing.delete(alert.fingerprint);
      return;
    }
    this.firing.delete(alert.fingerprint);
    this.firing.set(alert.fingerprint, alert);
    if (this.firing.size > MAX_FIRING) this.firing.delete(this.firing.keys().next().value!);
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Posts every firing alert again; a failure is logged and left to the next round (the alerts stay valid for several). */
  private async resend(): Promise<void> {
    if (this.firing.size === 0) return;
    try {
      await this.post([...this.firing.values()], AbortSignal.timeout(this.config.timeout || this.config.resend_interval));
    } catch (err) {
      this.logger.warn({ alerts: this.firing.size, err: messageOf(err) }, 'alertmanager: re-sending firing alerts failed; retrying next interval');
    }
  }

  private async post(alerts: Alert[], signal: AbortSignal): Promise<void> {
    const body = alerts.map((a) => this.postable(a));
    expectOk(`alertmanager ${this.url}`, await request('POST', this.url, body, this.config.headers, signal));
  }

  /** The API's alert: endsAt is the resolve time, or for a firing alert how long it stays valid without news. */
  private postable(a: Alert): PostableAlert {
    const endsAt = a.endsAtMs ?? this.now() + VALIDITY_INTERVALS * this.config.resend_interval;
    return {
      labels: { ...a.labels },
      annotations: { ...a.annotations },
      startsAt: new Date(a.startsAtMs).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      ...(a.generatorUrl ? { generatorURL: a.generatorUrl } : {}),
    };
  }
}
