/**
 * Reading back what a file exporter wrote (OTLP/JSON lines) in the integration suites: the
 * requests, with the lines a `kill -9` tore apart split where the next request begins.
 */
import { existsSync, readFileSync } from 'node:fs';

/** A string attribute as OTLP/JSON writes it. */
export interface JsonAttr { key: string; value: { stringValue?: string } }

/** The parts of a metrics or logs request the suites read. */
export interface JsonLine {
  resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Array<{ name: string; gauge?: { dataPoints: Array<{ attributes?: JsonAttr[]; timeUnixNano?: string; asDouble?: number; asInt?: string }> } }> }> }>;
  resourceLogs?: Array<{ scopeLogs?: Array<{ logRecords?: Array<{ eventName?: string; attributes?: JsonAttr[]; timeUnixNano?: string }> }> }>;
}

/** The OTLP/JSON requests of a file exporter's output; a line torn by a kill -9 (and continued by a successor) is split where requests begin. */
export function requests(file: string): JsonLine[] {
  if (!existsSync(file)) return [];
  const out: JsonLine[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    for (const piece of line.split(/(?=\{"resource(?:Metrics|Logs)")/)) {
      try { out.push(JSON.parse(piece) as JsonLine); } catch { /* torn */ }
    }
  }
  return out;
}

/** A string attribute's value, or "?" when absent. */
export const attr = (attrs: JsonAttr[] | undefined, key: string): string => attrs?.find((a) => a.key === key)?.value.stringValue ?? '?';
/** OTLP/JSON nanoseconds as epoch ms. */
export const nanosToMs = (nanos: string | undefined): number => Number(BigInt(nanos ?? '0') / 1_000_000n);
/** A point's key in the suites' maps: series and event time. */
export const keyOf = (series: string, ms: number): string => `${series}@${ms}`;
