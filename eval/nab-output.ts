/** Reads what the daemon wrote in the NAB evaluation: score points and anomaly events per series. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { forEachDataPoint, forEachLogRecord, fromJson } from '../pdata/index.js';

/** Per series (`<category>/<file>`): its scores in arrival order and its events' event times (ms). */
export interface DaemonOutput {
  readonly scores: Map<string, Array<{ t: number; score: number }>>;
  readonly events: Array<{ series: string; t: number }>;
}

/** Parses the file exporter's OTLP/JSON lines. */
export async function readOutput(path: string): Promise<DaemonOutput> {
  const scores = new Map<string, Array<{ t: number; score: number }>>();
  const events: Array<{ series: string; t: number }> = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const logs = line.startsWith('{"resourceLogs"');
    const { payload, rejectMessage } = fromJson(logs ? 'logs' : 'metrics', line);
    if (!payload) throw new Error(`${path}: a line that is not OTLP/JSON: ${rejectMessage ?? ''}`);
    forEachDataPoint(payload, (p) => {
      if (p.metricName !== 'vigil.anomaly.score' || typeof p.attributes.series !== 'string') return;
      let list = scores.get(p.attributes.series);
      if (!list) scores.set(p.attributes.series, (list = []));
      list.push({ t: Number(p.timeUnixNano / 1_000_000n), score: p.value ?? 0 });
    });
    forEachLogRecord(payload, (r) => {
      if (r.eventName === 'vigil.anomaly' && typeof r.attributes.series === 'string') events.push({ series: r.attributes.series, t: Number(r.timeUnixNano / 1_000_000n) });
    });
  }
  return { scores, events };
}
