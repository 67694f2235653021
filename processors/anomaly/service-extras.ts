/**
 * The extra features of a service's vector (CPU, memory: `service_forest.extra_metrics`) as of a
 * window's end, in event time: what PromQL's `sum(metric)` over the service's series gives at that
 * instant. Each series counts with its latest point at or before the window's end and within the
 * lookback (Prometheus' default, 5 minutes), and the series are summed: a process's CPU split by
 * state, or a service's hosts reporting at different seconds, add up to the service's.
 *
 * Joined by arrival instead (the latest point come so far), a window scored late would take CPU
 * points from after its end, and a replay, a restart or another daemon, whose points arrive in
 * other batches, could join other values. Kept per series: the few points not yet passed by a
 * scored window, checkpointed with the models (a restart resumes after the records that brought
 * them).
 */

/** A series' value counts for a window ending up to this long after it (PromQL's default lookback). */
export const LOOKBACK_MS = 5 * 60_000;
/**
 * Points kept per series at most, should no window come to pass them: a service scored (one with
 * a model) keeps enough for its windows to lag its CPU by minutes (256 points: 42 minutes at 10 s,
 * over 4 hours at 1 minute); any other service (most of them have no traces, so no windows) keeps
 * its latest 16, enough for its first window to find the points before it when they come first in
 * a small batch, and small enough that the services no window ever passes cost little to hold and
 * to checkpoint.
 */
export const MAX_POINTS = { scored: 256, other: 16 } as const;
/** A service's extras among the fields of the checkpoint (series ids are hex hashes). */
const FIELD_PREFIX = 'extras|';

/** A series' points, oldest first: [event time in ms, value]. */
type Points = Array<[number, number]>;

/** A service's saved extras (the checkpoint's field `s:extras|<service>`): per metric, each series' points. */
export interface SavedExtras {
  readonly extras: Record<string, Array<[string, Points]>>;
}

/** One partition's extra metrics, per service.name, per metric, per series. */
export class ServiceExtras {
  private readonly services = new Map<string, Map<string, Map<string, Points>>>();
  private seriesCount = 0;

  /** `maxSeries`: series kept at most (a new one beyond it is not joined). */
  constructor(private readonly metrics: ReadonlySet<string>, private readonly maxSeries: number) {}

  /** The id of a service's extras among the series of the checkpoint. */
  static fieldId(service: string): string {
    return FIELD_PREFIX + service;
  }

  /** Whether `id` is the checkpoint id of a service's extras. */
  static isFieldId(id: string): boolean {
    return id.startsWith(FIELD_PREFIX);
  }

  /** Whether points of `metric` are extras. */
  has(metric: string): boolean {
    return this.metrics.has(metric);
  }

  /** Notes a point of an extra metric, keeping `maxPoints` of its series; returns the checkpoint id it changed, or undefined when not kept. */
  note(service: string, metric: string, seriesId: string, tMs: number, value: number, maxPoints: number): string | undefined {
    let points = this.services.get(service)?.get(metric)?.get(seriesId);
    if (!points) {
      if (this.seriesCount >= this.maxSeries) return undefined;
      let byMetric = this.services.get(service);
      if (!byMetric) this.services.set(service, (byMetric = new Map<string, Map<string, Points>>()));
      let bySeries = byMetric.get(metric);
      if (!bySeries) byMetric.set(metric, (bySeries = new Map<string, Points>()));
      bySeries.set(seriesId, (points = []));
      this.seriesCount++;
    }
    const i = upTo(points, tMs);
    if (i > 0 && points[i - 1]![0] === tMs) points[i - 1]![1] = value; // the same point again
    else points.splice(i, 0, [tMs, value]);
    if (points.length > maxPoints) points.splice(0, points.length - maxPoints);
    return ServiceExtras.fieldId(service);
  }

  /** The sum over `service`'s series of `metric` as of `tMs`; undefined when no series has a point in the lookback. */
  asOf(service: string, metric: string, tMs: number): number | undefined {
    const bySeries = this.services.get(service)?.get(metric);
    if (!bySeries) return undefined;
    let sum: number | undefined;
    for (const points of bySeries.values()) {
      const p = points[upTo(points, tMs) - 1];
      if (p && p[0] > tMs - LOOKBACK_MS) sum = (sum ?? 0) + p[1];
    }
    return sum;
  }

  /**
   * Forgets what no window ending at `tMs` or later can use: the points before each series' latest
   * at `tMs`, and a series whose latest is past the lookback with nothing newer. Returns the
   * checkpoint id when something was forgotten.
   */
  passed(service: string, tMs: number): string | undefined {
    const byMetric = this.services.get(service);
    if (!byMetric) return undefined;
    let changed = false;
    for (const bySeries of byMetric.values()) {
      for (const [id, points] of bySeries) {
        const used = upTo(points, tMs);
        if (used === points.length && used > 0 && points[used - 1]![0] <= tMs - LOOKBACK_MS) {
          bySeries.delete(id);
          this.seriesCount--;
          changed = true;
        } else if (used > 1) {
          points.splice(0, used - 1);
          changed = true;
        }
      }
    }
    return changed ? ServiceExtras.fieldId(service) : undefined;
  }

  /** What the checkpoint keeps of a service's extras (id from fieldId); undefined when the id is not one. */
  saved(id: string): SavedExtras | undefined {
    const byMetric = ServiceExtras.isFieldId(id) ? this.services.get(id.slice(FIELD_PREFIX.length)) : undefined;
    if (!byMetric) return undefined;
    const extras: Record<string, Array<[string, Points]>> = {};
    for (const [metric, bySeries] of byMetric) extras[metric] = [...bySeries];
    return { extras };
  }

  /** Reloads a service's saved extras. */
  load(id: string, saved: SavedExtras): void {
    const byMetric = new Map<string, Map<string, Points>>();
    for (const [metric, series] of Object.entries(saved.extras)) {
      if (!this.metrics.has(metric)) continue; // no longer configured
      byMetric.set(metric, new Map(series));
      this.seriesCount += series.length;
    }
    this.services.set(id.slice(FIELD_PREFIX.length), byMetric);
  }
}

/** How many of `points` (oldest first) are at or before `tMs`: scanned from the newest, where windows look. */
function upTo(points: Points, tMs: number): number {
  let n = points.length;
  while (n > 0 && points[n - 1]![0] > tMs) n--;
  return n;
}
