/**
 * Config of the alert_routing processor: alertmanager.yml's `route` tree and `inhibit_rules`, with
 * the notification exporters' ids as receivers, and the silences API's endpoint.
 */
import { z } from 'zod';
import { duration, endpoint } from '../../config/types.js';
import { MatcherError, parseMatcher } from './matchers.js';

/** Alertmanager keeps expired silences this long (`--data.retention`), so they can be looked at. */
export const DEFAULT_SILENCE_RETENTION_MS = 120 * 3_600_000;
/** How long the routing of a firing alert is remembered for its resolve: as long as the notifiers' dedup memory. */
export const DEFAULT_DECISION_TTL_MS = 7 * 24 * 3_600_000;

/** A matcher in Alertmanager's string form, checked here and compiled by the factory. */
const matcherString = z.string().superRefine((text, ctx) => {
  try {
    parseMatcher(text);
  } catch (err) {
    if (!(err instanceof MatcherError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
  }
});

/** Alertmanager's defaults, used once a route (or an ancestor) turns grouping on. */
export const DEFAULT_GROUP_WAIT_MS = 30_000;
export const DEFAULT_GROUP_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_REPEAT_INTERVAL_MS = 4 * 3_600_000;

/**
 * Alertmanager route keys vigil does not implement yet. They are refused, never accepted and
 * ignored: an operator who writes them must not believe they act.
 */
const NOT_SUPPORTED: Record<string, string> = {
  mute_time_intervals: 'time intervals are not supported yet; use a silence (POST /api/v2/silences) instead',
  active_time_intervals: 'time intervals are not supported yet; use a silence (POST /api/v2/silences) instead',
};

const refused = (message: string) => z.unknown().optional().superRefine((v, ctx) => {
  if (v !== undefined) ctx.addIssue({ code: 'custom', message });
});

const refusedKeys = Object.fromEntries(Object.entries(NOT_SUPPORTED).map(([k, m]) => [k, refused(m)]));

/** A route as parsed: matchers still strings (the factory compiles them). */
export interface RouteConfig {
  /** A notification exporter's id (`slack/oncall`); inherited from the parent when absent. */
  receiver?: string | undefined;
  matchers: string[];
  continue: boolean;
  routes: RouteConfig[];
  /** Label names to group by; `['...']`: every label. Inherited. */
  group_by?: string[] | undefined;
  /** Durations in ms; inherited. Any grouping key on a route or an ancestor turns grouping on. */
  group_wait?: number | undefined;
  group_interval?: number | undefined;
  repeat_interval?: number | undefined;
}

const positive = (what: string) => duration().refine((ms) => ms > 0, { error: `${what} must be more than 0` });

/** One node of the route tree, as in alertmanager.yml (recursive through `routes`). */
const routeSchema: z.ZodType<RouteConfig> = z.lazy(() => z.strictObject({
  receiver: z.string().min(1, { error: 'must name a notification exporter, e.g. "slack/oncall"' }).optional(),
  matchers: z.array(matcherString).default([]),
  continue: z.boolean().default(false),
  routes: z.array(routeSchema).default([]),
  group_by: z.array(z.string().min(1)).refine((l) => !l.includes('...') || l.length === 1, { error: "'...' (every label) must be group_by's only entry" }).optional(),
  group_wait: duration().optional(),
  group_interval: positive('group_interval').optional(),
  repeat_interval: positive('repeat_interval').optional(),
  ...refusedKeys,
}));

/** An inhibition rule: targets are muted while a source with equal `equal` labels fires. */
const inhibitRuleSchema = z.strictObject({
  source_matchers: z.array(matcherString).min(1, { error: 'needs at least one matcher' }),
  target_matchers: z.array(matcherString).min(1, { error: 'needs at least one matcher' }),
  equal: z.array(z.string().min(1)).default([]),
});

/** The silences API and where silences live. */
const silencesSchema = z.strictObject({
  /** `host:port` of the Alertmanager-style API (`/api/v2/silences`); Alertmanager's own port is 9093. */
  endpoint: endpoint(),
  /** Expired silences are kept (and listed) this long, then forgotten. */
  retention: duration().default(DEFAULT_SILENCE_RETENTION_MS),
});

/** The alert_routing processor's config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  route: routeSchema.optional(),
  inhibit_rules: z.array(inhibitRuleSchema).default([]),
  /** Absent: no silences API, no silences. */
  silences: silencesSchema.optional(),
  decision_ttl: duration().default(DEFAULT_DECISION_TTL_MS),
}).superRefine((c, ctx) => {
  if (!c.route) {
    ctx.addIssue({ code: 'custom', path: ['route'], message: 'a route tree is required, at least `route: { receiver: <exporter id> }`' });
    return;
  }
  // Alertmanager's rules for the root: it catches everything and is the default receiver.
  if (!c.route.receiver) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'the root route needs a receiver (the default for alerts no sub-route takes)' });
  if (c.route.matchers.length > 0) ctx.addIssue({ code: 'custom', path: ['route', 'matchers'], message: 'the root route must not have matchers: it matches every alert' });
  if (c.route.continue) ctx.addIssue({ code: 'custom', path: ['route', 'continue'], message: 'the root route cannot have continue' });
});

/** The parsed config: durations in milliseconds. */
export type Config = z.infer<typeof configSchema>;

/** Every receiver the tree names, with its key path (for the pipeline check). */
export function receiversOf(route: RouteConfig | undefined, path: (string | number)[] = ['route']): Array<{ receiver: string; path: (string | number)[] }> {
  if (!route) return [];
  const own = route.receiver ? [{ receiver: route.receiver, path: [...path, 'receiver'] }] : [];
  return [...own, ...route.routes.flatMap((r, i) => receiversOf(r, [...path, 'routes', i]))];
}

/** Exporter types that render a grouped notification (their sink has `sendGroup`). */
export const GROUPING_EXPORTER_TYPES: readonly string[] = ['webhook', 'slack', 'pagerduty', 'email'];

/** The receivers of the routes that group (they or an ancestor set a grouping key), with their key path. */
export function groupedReceiversOf(route: RouteConfig | undefined, path: (string | number)[] = ['route'], inherited: { receiver?: string | undefined; grouped: boolean } = { grouped: false }): Array<{ receiver: string; path: (string | number)[] }> {
  if (!route) return [];
  const grouped = inherited.grouped || [route.group_by, route.group_wait, route.group_interval, route.repeat_interval].some((v) => v !== undefined);
  const receiver = route.receiver ?? inherited.receiver;
  const own = grouped && receiver ? [{ receiver, path: [...path, route.receiver ? 'receiver' : 'group_by'] }] : [];
  return [...own, ...route.routes.flatMap((r, i) => groupedReceiversOf(r, [...path, 'routes', i], { receiver, grouped }))];
}
