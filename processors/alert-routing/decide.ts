/**
 * Who hears one alert: the route tree's receivers, unless a silence or an inhibition mutes it.
 * The decision made for an alert's firing is remembered for the episode (fingerprint + start), so
 * its resolve goes exactly where the firing went: a resolve of a notified firing is sent even if a
 * silence began meanwhile, and a resolve of a muted firing is muted too.
 */
import type { Logger } from 'pino';
import type { Alert } from '../../exporters/notify-common/index.js';
import { BurstLog } from '../../pipeline/burst-log.js';
import { messageOf } from '../../pipeline/errors.js';
import type { StateStore } from '../../pipeline/state/state-store.js';
import { FiringSet, inhibitor, type InhibitRule } from './inhibit.js';
import type { Labels } from './matchers.js';
import { receiversFor, type Route } from './route.js';
import type { SilenceBook } from './silences.js';

/** What happens to one alert. */
export interface Decision {
  /** The exporter ids that notify it; empty when muted. */
  readonly receivers: readonly string[];
  /** Why nobody is notified: a silence, or an inhibiting alert. */
  readonly muted?: 'silenced' | 'inhibited';
  /** The silence ids, or the inhibiting alert's fingerprint. */
  readonly by?: readonly string[];
}

/** What the decider needs; the state store is already scoped to the processor. */
export interface DeciderOptions {
  readonly root: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly store: StateStore;
  readonly silences?: SilenceBook | undefined;
  readonly decisionTtlMs: number;
  readonly logger: Logger;
}

/** The labels routes, silences and inhibitions match: the alert's, with its severity when no label carries one. */
export function routingLabels(a: Alert): Labels {
  return a.labels.severity === undefined ? { ...a.labels, severity: a.severity } : a.labels;
}

/** Decides for the alerts of one payload, reading silences and the firing set once. */
export class Decider {
  private readonly firing: FiringSet;
  private readonly burst: BurstLog;

  constructor(private readonly o: DeciderOptions) {
    this.firing = new FiringSet(o.store);
    this.burst = new BurstLog(o.logger);
  }

  /** One decision per alert, in order. */
  async decide(alerts: readonly Alert[]): Promise<Decision[]> {
    const firing = this.o.inhibitRules.length > 0 ? await this.orElse('firing set', new Map<string, Labels>(), () => this.firing.read()) : new Map<string, Labels>();
    const out: Decision[] = [];
    for (const a of alerts) {
      const labels = routingLabels(a);
      out.push(await this.remembered(a) ?? await this.fresh(a, labels, firing));
      // Later alerts of the same payload see this one's state change.
      if (this.o.inhibitRules.length > 0) {
        if (a.state === 'firing') firing.set(a.fingerprint, labels);
        else firing.delete(a.fingerprint);
        await this.orElse('firing set', undefined, () => this.firing.record(a.fingerprint, labels, a.state === 'firing'));
      }
    }
    return out;
  }

  /** A new decision; a firing's is remembered for its resolve. */
  private async fresh(a: Alert, labels: Labels, firing: ReadonlyMap<string, Labels>): Promise<Decision> {
    const silencedBy = this.o.silences ? await this.orElse('silences', [], () => this.o.silences!.silencing(labels)) : [];
    const inhibiting = silencedBy.length === 0 ? inhibitor(this.o.inhibitRules, a.fingerprint, labels, firing) : undefined;
    const d: Decision = silencedBy.length > 0 ? { receivers: [], muted: 'silenced', by: silencedBy }
      : inhibiting !== undefined ? { receivers: [], muted: 'inhibited', by: [inhibiting] }
        : { receivers: receiversFor(this.o.root, labels) };
    if (a.state === 'firing') await this.orElse('decision', undefined, () => this.o.store.put(episodeKey(a), JSON.stringify(d), this.o.decisionTtlMs));
    return d;
  }

  /** The decision taken for this episode's firing, if one was. */
  private async remembered(a: Alert): Promise<Decision | undefined> {
    const bytes = await this.orElse('decision', undefined, () => this.o.store.get(episodeKey(a)));
    return bytes ? JSON.parse(Buffer.from(bytes).toString('utf8')) as Decision : undefined;
  }

  /**
   * A state-store failure must not stop notifications (nothing on the data path waits for the
   * store): the alert is routed as if no silence, inhibition or earlier decision existed.
   */
  private async orElse<T>(what: string, fallback: T, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.burst.warn({ err: messageOf(err), state: what }, 'alert routing: state store unavailable; routing without silences and inhibitions');
      return fallback;
    }
  }
}

function episodeKey(a: Alert): string {
  return `decision:${a.fingerprint}:${a.startsAtMs}`;
}
