/**
 * The alertmanager sink: POST /api/v2/alerts. A firing alert is posted with an endsAt a few resend
 * intervals ahead (as Prometheus does) and posted again every `resend_interval` while it fires, so
 * Alertmanager keeps it active and resolves it by itself if vigil goes away; a resolve is posted
 * with its endsAt.
 *
 * The firing set lives in the service's state store (a Redis hash with Redis state), not in the
 * process: every instance re-sends what is firing, so an alert delivered by a daemon that was then
 * `kill -9`'d stays active, and a resolve delivered by another instance (the record's partition
 * moved) ends the re-sends everywhere. Alertmanager folds the repeated posts (same label set).
 */
import type { Logger } from 'pino';
import type { Host } from '../../pipeline/component.js';
import { messageOf } from '../../pipeline/errors.js';
import { scoped } from '../../pipeline/state/scope.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { expectOk, request, type Alert, type SendContext, type Sink } from '../notify-common/index.js';
import { MAX_FIRING, type Config } from './config.js';

/** Prometheus' factor: a firing alert is valid for this many resend intervals. */
const VALIDITY_INTERVALS = 4;
/** The state-store map (under the exporter's namespace) of firing alerts: fingerprint → the alert, JSON. */
const FIRING_KEY = 'firing';

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
  private timer: NodeJS.Timeout | undefined;
  private readonly url: string;
  private store: StateStore | undefined;

  constructor(private readonly config: Config, private readonly logger: Logger, private readonly exporterId = 'alertmanager', private readonly now: () => number = Date.now) {
    this.url = `${config.endpoint.replace(/\/+$/, '')}/api/v2/alerts`;
  }

  async start(host: Host): Promise<void> {
    this.store = scoped(host.stateStore(), 'notify', this.exporterId);
    this.timer = setInterval(() => { void this.resend(); }, this.config.resend_interval);
    this.timer.unref();
  }

  async send(alert: Alert, ctx: SendContext): Promise<void> {
    // A resolve leaves the firing set before it is posted, so no re-send can follow it.
    if (alert.state === 'resolved') await this.keep(alert, false);
    await this.post([alert], ctx.signal);
    if (alert.state === 'firing') await this.keep(alert, true);
  }

  /** Adds the alert to the shared firing set, or removes it; a store that cannot be written is logged (the alert was posted). */
  private async keep(alert: Alert, firing: boolean): Promise<void> {
    const field = alert.fingerprint;
    try {
      await this.store?.batch([firing
        ? { op: 'set_field', key: FIRING_KEY, field, value: JSON.stringify(this.postable(alert)) }
        : { op: 'delete_field', key: FIRING_KEY, field }]);
    } catch (err) {
      this.logger.warn({ fingerprint: field, firing, err: messageOf(err) }, 'alertmanager: firing set not updated in the state store');
    }
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Posts every firing alert again; a failure is logged and left to the next round (the alerts stay valid for several). */
  private async resend(): Promise<void> {
    let alerts: PostableAlert[] = [];
    try {
      const stored = await this.store?.fields(FIRING_KEY) ?? new Map<string, Uint8Array>();
      const endsAt = new Date(this.now() + VALIDITY_INTERVALS * this.config.resend_interval).toISOString();
      alerts = [...stored.values()].slice(0, MAX_FIRING).map((v) => ({ ...(JSON.parse(Buffer.from(v).toString('utf8')) as PostableAlert), endsAt }));
      if (alerts.length === 0) return;
      await this.postBody(alerts, AbortSignal.timeout(this.config.timeout || this.config.resend_interval));
    } catch (err) {
      this.logger.warn({ alerts: alerts.length, err: messageOf(err) }, 'alertmanager: re-sending firing alerts failed; retrying next interval');
    }
  }

  private async post(alerts: Alert[], signal: AbortSignal): Promise<void> {
    await this.postBody(alerts.map((a) => this.postable(a)), signal);
  }

  private async postBody(body: PostableAlert[], signal: AbortSignal): Promise<void> {
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
