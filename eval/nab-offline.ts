/**
 * The fast loop for developing detectors: runs the anomaly processor's series models over a NAB
 * corpus in process (no daemon), writes the events and the per-row scores, and scores both.
 *   node dist/eval/nab-offline.js [--corpus DIR] [--config JSON] [--out DIR]
 * The numbers it prints are those of the daemon (eval/nab.ts) when the config is the same: both run
 * the same SeriesModel on the same points in the same order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seriesId } from '../pdata/index.js';
import { configSchema, modelOptions } from '../processors/anomaly/config.js';
import { SeriesModel } from '../processors/anomaly/series-model.js';
import { corpusKeys, DEV_CORPUS, readSeries, score } from './nab-corpus.js';

const { values } = parseArgs({ options: { corpus: { type: 'string', default: DEV_CORPUS }, config: { type: 'string', default: '{}' }, out: { type: 'string', default: '/tmp/vigil-nab-offline' }, 'per-file': { type: 'boolean', default: false } } });
const dir = values.corpus;
const options = modelOptions(configSchema.parse(JSON.parse(values.config)));
const events: string[] = [];
const started = process.hrtime.bigint();
let points = 0;
for (const key of corpusKeys(dir)) {
  const series = readSeries(dir, key);
  // The series id the daemon gives the feeder's points: it seeds the series' isolation forest.
  const model = new SeriesModel(options, seriesId('nab.value', { 'service.name': 'nab' }, { series: key }));
  const dense = ['timestamp,value,anomaly_score'];
  for (const row of series.rows) {
    const v = model.observe(row.value, row.t);
    points++;
    dense.push(`${row.stamp},${row.value},${v.score}`);
    if (v.event) events.push(JSON.stringify({ series: key, timestamp: new Date(row.t).toISOString() }));
  }
  mkdirSync(join(values.out, 'results', key.split('/')[0]!), { recursive: true });
  writeFileSync(join(values.out, 'results', `${key}.csv`), `${dense.join('\n')}\n`);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const eventsFile = join(values.out, 'events.jsonl');
writeFileSync(eventsFile, events.map((e) => `${e}\n`).join(''));
const fromEvents = await score(dir, { events: eventsFile });
const optimised = await score(dir, { results: join(values.out, 'results') });
process.stdout.write(`${points} points in ${seconds.toFixed(2)} s (${Math.round(points / seconds)} points/s); ${events.length} events\n`);
process.stdout.write(`events (threshold ${options.threshold}): ${JSON.stringify(fromEvents.scores)}\n`);
process.stdout.write(`scores, threshold optimised: ${JSON.stringify(optimised.scores)}\n`);
if (values['per-file']) process.stdout.write(fromEvents.text);
