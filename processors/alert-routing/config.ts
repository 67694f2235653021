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

/**
 * Alertmanager route keys vigil does not implement yet. They are refused, never accepted and
 * ignored: an operator who writes `group_wait: 30s` must not believe alerts are grouped.
 */
const NOT_SUPPORTED: Record<string, string> = {
  group_by: 'grouping is not supported yet: vigil notifies every alert on its own, as Alertmanager does with group_by: [\'...\']; remove group_by',
  group_wait: 'grouping is not supported yet: an alert is notified as soon as it fires; remove group_wait',
  group_interval: 'grouping is not supported yet: there are no groups to re-notify; remove group_interval',
  repeat_interval: 'repeat notifications are not supported yet: each firing and each resolve is notified once; remove repeat_interval',
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
}

/** One node of the route tree, as in alertmanager.yml (recursive through `routes`). */
const routeSchema: z.ZodType<RouteConfig> = z.lazy(() => z.strictObject({
  receiver: z.string().min(1, { error: 'must name a notification exporter, e.g. "slack/oncall"' }).optional(),
  matchers: z.array(matcherString).default([]),
  continue: z.boolean().default(false),
  routes: z.array(routeSchema).default([]),
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
