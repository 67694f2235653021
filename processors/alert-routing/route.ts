/**
 * The route tree, walked as Alertmanager walks it: an alert enters at the root (which matches
 * everything); at each node the children are tried in order, depth first, and the first child
 * that matches takes the alert unless it has `continue: true`, in which case the next children
 * are tried too. A node whose children all pass is itself the match. A child without a receiver
 * inherits its parent's.
 */
import { DEFAULT_GROUP_INTERVAL_MS, DEFAULT_GROUP_WAIT_MS, DEFAULT_REPEAT_INTERVAL_MS, type RouteConfig } from './config.js';
import { matchAll, parseMatcher, type Labels, type Matcher } from './matchers.js';

/** How a route groups its alerts (Alertmanager's group_by and timers), all inherited. */
export interface Grouping {
  /** Label names; `all`: every label (`['...']`); empty: one group per route. */
  readonly by: readonly string[] | 'all';
  readonly waitMs: number;
  readonly intervalMs: number;
  readonly repeatMs: number;
}

/** A compiled route: matchers parsed, the receiver and grouping resolved through inheritance. */
export interface Route {
  readonly receiver: string;
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly routes: readonly Route[];
  /** Alertmanager's route key: the matchers from the root down (`{}/{severity="critical"}`), made unique among siblings. */
  readonly key: string;
  /** Set when this route or an ancestor sets a grouping key; absent: every alert is notified on its own, at once. */
  readonly grouping?: Grouping;
}

/** What a parent hands down. */
interface Inherited {
  readonly receiver: string;
  readonly key: string;
  readonly keys: Partial<Pick<RouteConfig, 'group_by' | 'group_wait' | 'group_interval' | 'repeat_interval'>>;
}

/** Compiles a validated route config (the root when `inherited` is absent). */
export function compileRoute(config: RouteConfig, inherited?: Inherited, index = 0, siblings: readonly RouteConfig[] = []): Route {
  const receiver = config.receiver ?? inherited?.receiver ?? '';
  const own = `{${config.matchers.join(',')}}`;
  // Siblings with the same matchers would share a key, and so their groups: the index tells them apart.
  const twin = siblings.some((s, i) => i !== index && s.matchers.join(',') === config.matchers.join(','));
  const key = inherited ? `${inherited.key}/${own}${twin ? `/${index}` : ''}` : own;
  const keys = {
    group_by: config.group_by ?? inherited?.keys.group_by,
    group_wait: config.group_wait ?? inherited?.keys.group_wait,
    group_interval: config.group_interval ?? inherited?.keys.group_interval,
    repeat_interval: config.repeat_interval ?? inherited?.keys.repeat_interval,
  };
  const grouped = Object.values(keys).some((v) => v !== undefined);
  return {
    receiver,
    matchers: config.matchers.map(parseMatcher),
    continue: config.continue,
    key,
    ...(grouped ? {
      grouping: {
        by: keys.group_by?.includes('...') ? 'all' : keys.group_by ?? [],
        waitMs: keys.group_wait ?? DEFAULT_GROUP_WAIT_MS,
        intervalMs: keys.group_interval ?? DEFAULT_GROUP_INTERVAL_MS,
        repeatMs: keys.repeat_interval ?? DEFAULT_REPEAT_INTERVAL_MS,
      } satisfies Grouping,
    } : {}),
    routes: config.routes.map((r, i) => compileRoute(r, { receiver, key, keys }, i, config.routes)),
  };
}

/** The routes that take an alert with these labels, in tree order; undefined when `route` does not match. */
export function matchRoutes(route: Route, labels: Labels): Route[] | undefined {
  if (!matchAll(route.matchers, labels)) return undefined;
  const all: Route[] = [];
  for (const child of route.routes) {
    const taken = matchRoutes(child, labels);
    if (!taken) continue;
    all.push(...taken);
    if (!child.continue) break;
  }
  return all.length > 0 ? all : [route];
}

/** The receivers (exporter ids) of the ungrouped routes an alert takes: each once, in tree order. */
export function receiversFor(root: Route, labels: Labels): string[] {
  return [...new Set((matchRoutes(root, labels) ?? [root]).filter((r) => !r.grouping).map((r) => r.receiver))];
}

/** True when some route of the tree groups. */
export function anyGrouping(route: Route): boolean {
  return route.grouping !== undefined || route.routes.some(anyGrouping);
}
