/**
 * Schema building blocks shared by every component config, so that durations, sizes and endpoints
 * read and fail the same way everywhere. Component configs are zod schemas: unknown keys are
 * rejected (`z.strictObject`), defaults are filled in, and the parsed value is what the factory gets.
 *
 * zod 4 note: `.default(v)` returns `v` as is without parsing it; use `.prefault(v)` when the
 * default must itself be parsed (a nested object whose fields have their own defaults).
 */
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;

/** Parses a Go-style duration ("10s", "250ms", "1m30s", "0") into milliseconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  let rest = text.trim();
  if (rest === '') return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** A duration string, parsed to milliseconds. */
export function duration() {
  return z.string({ error: (iss) => `expected a duration like "10s", got ${describe(iss.input)}` })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like "10s", got ${JSON.stringify(text)}` });
        return z.NEVER;
      }
      return ms;
    });
}

/** `host:port` (host may be empty, `[::1]` or a name); port 0 means "pick a free one". */
export function endpoint() {
  return z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]*):\d{1,5}$/, {
    error: (iss) => `expected an endpoint like "localhost:4317", got ${describe(iss.input)}`,
  });
}

/** Splits `host:port` into its parts; an empty host means all interfaces. */
export function splitEndpoint(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  let host = text.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host: host === '' ? '0.0.0.0' : host, port: Number(text.slice(colon + 1)) };
}

/** A whole number in [min, max]. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.number({ error: (iss) => `expected a whole number, got ${describe(iss.input)}` })
    .int({ error: (iss) => `expected a whole number, got ${describe(iss.input)}` })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

/** How a value is named in an error: its YAML-ish spelling and type. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${String(value)}`;
}
