/**
 * `service.telemetry.metrics`: where vigil serves its Prometheus self-metrics. Two spellings give
 * the same parsed value `{ level, address }`: vigil's short `address: host:port`, and the form
 * otelcol writes (the OpenTelemetry configuration schema's meter provider):
 *
 *     readers: [ { pull: { exporter: { prometheus: { host: 0.0.0.0, port: 8888 } } } } ]
 *
 * vigil serves one scrape endpoint, so it takes one pull reader with a prometheus exporter. A
 * periodic reader (pushing self-metrics over OTLP) is refused by name, and so is anything vigil
 * would silently not do.
 */
import { z } from 'zod';
import { describe, endpoint, integer } from './types.js';

/** vigil's default scrape address, otelcol's. */
export const DEFAULT_METRICS_ADDRESS = 'localhost:8888';

/** The prometheus exporter of a pull reader. */
const prometheus = z.strictObject({
  host: z.string().min(1, { error: 'must not be empty' }).default('localhost'),
  port: integer(0, 65_535),
  /**
   * Accepted: they shape metric names, and vigil's are fixed: otelcol's names as its default
   * configuration serves them (see the README's self-metrics).
   */
  without_type_suffix: z.boolean().optional(),
  without_units: z.boolean().optional(),
  /** Accepted: vigil writes no scope info whatever it says. */
  without_scope_info: z.boolean().optional(),
  /** Accepted when it adds no label (otelcol writes `included: []`); vigil's self-metrics carry no resource labels. */
  with_resource_constant_labels: z.strictObject({
    included: z.array(z.string()).max(0, { error: 'vigil\'s self-metrics carry no resource labels: leave "included" empty' }).optional(),
    excluded: z.array(z.string()).optional(),
  }).optional(),
});

/** One reader; the refinement explains what vigil cannot do. */
const reader = z.strictObject({
  pull: z.strictObject({ exporter: z.strictObject({ prometheus }) }).optional(),
  periodic: z.unknown().optional(),
}).superRefine((r, ctx) => {
  if (r.periodic !== undefined) {
    ctx.addIssue({
      code: 'custom', path: ['periodic'], input: r.periodic,
      message: 'a periodic reader (pushing self-metrics) is not supported: vigil serves its self-metrics for scraping; use a pull reader with a prometheus exporter',
    });
  } else if (!r.pull) {
    ctx.addIssue({ code: 'custom', path: [], input: r, message: 'expected a pull reader: { pull: { exporter: { prometheus: { host, port } } } }' });
  }
});

/** `host:port` as `endpoint()` spells it; an IPv6 host goes in brackets. */
function addressOf(p: z.infer<typeof prometheus>): string {
  return p.host.includes(':') && !p.host.startsWith('[') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`;
}

/** The schema of `service.telemetry.metrics`; parses to `{ level, address }` whichever spelling was used. */
export const selfMetricsSchema = z.strictObject({
  level: z.enum(['none', 'basic', 'normal', 'detailed']).default('normal'),
  address: endpoint().optional(),
  readers: z.array(reader, { error: (iss) => `expected a list of readers, got ${describe(iss.input)}` }).optional(),
}).superRefine((m, ctx) => {
  if (m.address !== undefined && m.readers !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['readers'], input: m.readers, message: 'set address or readers, not both: they both say where self-metrics are served' });
  }
  if (m.readers?.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['readers'], input: m.readers, message: 'expected one pull reader; to turn self-metrics off, set level: none' });
  }
  for (let i = 1; i < (m.readers?.length ?? 0); i++) {
    ctx.addIssue({ code: 'custom', path: ['readers', i], input: m.readers![i], message: 'vigil serves its self-metrics on one address: configure one pull reader' });
  }
}).transform((m) => {
  const served = m.readers?.[0]?.pull?.exporter.prometheus;
  return { level: m.level, address: m.address ?? (served ? addressOf(served) : DEFAULT_METRICS_ADDRESS) };
});
