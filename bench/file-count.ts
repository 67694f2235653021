/** Counting the spans in the file exporter's output (one OTLP/JSON request per line) without parsing it. */
import { createReadStream, rmSync, statSync } from 'node:fs';

const SPAN_KEY = Buffer.from('"spanId":');

/** The file's size in bytes, 0 when it does not exist yet. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Spans (occurrences of the span's `"spanId":` key; parent ids are `"parentSpanId"`, events have none)
 * and bytes in the file; the file is deleted afterwards unless `keep`.
 */
export async function countFileSpans(path: string, keep = false): Promise<{ spans: number; bytes: number }> {
  let spans = 0;
  let bytes = 0;
  let carry = Buffer.alloc(0);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let at = buf.indexOf(SPAN_KEY);
      while (at !== -1) {
        spans++;
        at = buf.indexOf(SPAN_KEY, at + SPAN_KEY.length);
      }
      // Keep a tail shorter than the key so a key split across chunks is found once, never twice.
      carry = Buffer.from(buf.subarray(Math.max(0, buf.length - (SPAN_KEY.length - 1))));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!keep) rmSync(path, { force: true });
  return { spans, bytes };
}
