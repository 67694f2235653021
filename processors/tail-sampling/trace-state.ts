/**
 * W3C tracestate lookup for the trace_state policy. otelcol parses a span's tracestate with the
 * OpenTelemetry Go API and treats a header that does not parse as "no match"; so does this.
 */

const MAX_MEMBERS = 32;
const SIMPLE_KEY = /^[a-z][_0-9a-z\-*/]{0,255}$/;
const TENANT_KEY = /^[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13}$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** The members of a tracestate header, or undefined when it is not valid. */
export function parseTraceState(header: string): Map<string, string> | undefined {
  const members = new Map<string, string>();
  if (header === '') return members;
  for (const raw of header.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (member === '') continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (!(SIMPLE_KEY.test(key) || TENANT_KEY.test(key)) || !VALUE.test(value)) return undefined;
    if (members.has(key)) return undefined;
    members.set(key, value);
    if (members.size > MAX_MEMBERS) return undefined;
  }
  return members;
}
