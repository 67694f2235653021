/**
 * The short rule form of the product design, an entry of the processor's `alerts` list: either a
 * `condition` over the RED indicators (translated to an alerting rule) or `on_events` (an anomaly
 * or degradation event raises the alert directly). Checked here, inside the config schema, so
 * `vigil validate` reports a bad condition at its YAML position with its key path.
 */
import { z } from 'zod';
import { duration } from '../../../config/types.js';
import { Template, TemplateError } from '../rules/template.js';
import { ConditionError, parseCondition } from './condition.js';

/** Severities the short form accepts: the product design's four and the contract's names. */
export const SHORT_SEVERITIES = ['critical', 'high', 'medium', 'low', 'error', 'warning', 'info'] as const;
/** The events `on_events` may name (docs/events.md). */
export const ALERTABLE_EVENTS = ['vigil.anomaly', 'vigil.degradation'] as const;
/** Severity of a condition alert that names none. */
export const DEFAULT_SEVERITY = 'medium';
/** Event time without a qualifying event after which an event-raised alert resolves. */
export const DEFAULT_RESOLVE_AFTER_MS = 300_000;

const ALERT_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One short-form alert; unknown keys are rejected. */
export const shortAlertSchema = z.strictObject({
  /** The alert's name (`alertname`). */
  name: z.string().regex(ALERT_NAME, { error: 'must be a metric-style name: letters, digits, "_" and ":", not starting with a digit' }),
  condition: z.string().optional(),
  on_events: z.array(z.enum(ALERTABLE_EVENTS)).min(1).optional(),
  /** The event severity floor of `on_events`: weaker events are ignored. */
  min_severity: z.enum(SHORT_SEVERITIES).optional(),
  /** Default: `medium` for a condition, the event's own severity for `on_events`. */
  severity: z.enum(SHORT_SEVERITIES).optional(),
  /** No new notification of the same alert (rule + labels) within this long after the last one. */
  cooldown: duration().default(0),
  for: duration().optional(),
  resolve_after: duration().optional(),
  labels: z.record(z.string().regex(LABEL_NAME, { error: 'invalid label name' }), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
}).superRefine((a, ctx) => {
  if ((a.condition === undefined) === (a.on_events === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['condition'], message: 'an alert needs exactly one of condition or on_events' });
    return;
  }
  const only = a.condition !== undefined ? ['min_severity', 'resolve_after'] as const : ['for'] as const;
  for (const key of only) {
    if (a[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies only to ${a.condition !== undefined ? 'on_events' : 'condition'} alerts` });
  }
  for (const [key, text] of Object.entries({ ...a.labels, ...a.annotations })) {
    try {
      new Template(text); // parsed only to check it
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      ctx.addIssue({ code: 'custom', path: [key in a.annotations ? 'annotations' : 'labels', key], message: `template: ${err.message}` });
    }
  }
  if (a.condition === undefined) return;
  try {
    parseCondition(a.condition);
  } catch (err) {
    if (!(err instanceof ConditionError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['condition'], message: `at character ${err.offset + 1} of ${JSON.stringify(a.condition)}: ${err.message}` });
  }
});

/** A parsed short-form alert (durations in milliseconds). */
export type ShortAlert = z.infer<typeof shortAlertSchema>;

/** The `alerts` list: names must be unique (they name the alert and its cooldown). */
export const shortAlertsSchema = z.array(shortAlertSchema).default([]).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((a, i) => {
    if (seen.has(a.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `alert "${a.name}" is defined twice` });
    seen.add(a.name);
  });
});
