/**
 * The route tree, walked as Alertmanager walks it: an alert enters at the root (which matches
 * everything); at each node the children are tried in order, depth first, and the first child
 * that matches takes the alert unless it has `continue: true`, in which case the next children
 * are tried too. A node whose children all pass is itself the match. A child without a receiver
 * inherits its parent's.
 */
import type { RouteConfig } from './config.js';
import { matchAll, parseMatcher, type Labels, type Matcher } from './matchers.js';

/** A compiled route: matchers parsed, the receiver resolved through inheritance. */
export interface Route {
  readonly receiver: string;
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly routes: readonly Route[];
}

/** Compiles a validated route config; `inherited` is the parent's receiver. */
export function compileRoute(config: RouteConfig, inherited = ''): Route {
  const receiver = config.receiver ?? inherited;
  return {
    receiver,
    matchers: config.matchers.map(parseMatcher),
    continue: config.continue,
    routes: config.routes.map((r) => compileRoute(r, receiver)),
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

/** The receivers (exporter ids) an alert goes to: each once, in tree order. The root always matches, so never empty. */
export function receiversFor(root: Route, labels: Labels): string[] {
  return [...new Set((matchRoutes(root, labels) ?? [root]).map((r) => r.receiver))];
}
