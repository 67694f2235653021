/**
 * `npm run eval:nab [-- --corpus DIR] [--events-out FILE] [--out DIR]`: the anomaly processor
 * measured on NAB through the real daemon. It starts `vigil` with eval/nab.yaml, sends every series
 * of the corpus as OTLP gauges with their original timestamps (the NAB tools' feed_otlp.py), stops
 * the daemon (SIGTERM drains the stage log through the models), reads the score points and the
 * anomaly events from the file exporter's output, writes the events as JSON lines
 * {"series", "timestamp"} and the scores as per-series CSVs, and scores both with NAB's scorer:
 * the events as they are (the default threshold a user gets) and the scores with NAB's
 * corpus-wide threshold optimisation. Works on any directory in NAB's layout.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Daemon, freePort } from '../test/daemon.js';
import { corpusKeys, DEV_CORPUS, readSeries, score, type Scores } from './nab-corpus.js';
import { readOutput } from './nab-output.js';

const FEEDER = process.env.NAB_FEEDER ?? '/work/shared/tools/nab/feed_otlp.py';
const CONFIG = fileURLToPath(new URL('../../eval/nab.yaml', import.meta.url));

const { values } = parseArgs({ options: {
  corpus: { type: 'string', default: process.env.NAB_DIR ?? DEV_CORPUS },
  'events-out': { type: 'string' },
  out: { type: 'string', default: 'eval/results/nab' },
} });
const dir = resolve(values.corpus);
const out = resolve(values.out);
const eventsOut = resolve(values['events-out'] ?? join(out, 'events.jsonl'));
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Runs the feeder against the daemon's OTLP/HTTP port. */
async function feed(port: number): Promise<void> {
  const child = spawn('python3', [FEEDER, '--corpus', dir, '--endpoint', `http://127.0.0.1:${port}/v1/metrics`, '--batch', '200'], { stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  say(stderr.trim().split('\n').filter((l) => !/: \d+ points$/.test(l)).join('\n'));
  if (code !== 0) throw new Error(`feed_otlp.py exited with ${code}:\n${stderr}`);
}

/** Writes the per-row scores as <out>/results/<category>/<file>.csv (rows in file order). */
function writeDense(scores: Map<string, Array<{ t: number; score: number }>>): string {
  const results = join(out, 'results');
  for (const key of corpusKeys(dir)) {
    const rows = readSeries(dir, key).rows;
    const got = scores.get(key) ?? [];
    if (got.length !== rows.length) throw new Error(`${key}: ${rows.length} rows sent, ${got.length} scores received`);
    const lines = rows.map((r, i) => `${r.stamp},${r.value},${got[i]!.score}`);
    mkdirSync(dirname(join(results, `${key}.csv`)), { recursive: true });
    writeFileSync(join(results, `${key}.csv`), `timestamp,value,anomaly_score\n${lines.join('\n')}\n`);
  }
  return results;
}

const fmt = (s: Scores) => ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'].map((p) => `${p} ${s[p]?.toFixed(2) ?? '?'}`).join(', ');

mkdirSync(out, { recursive: true });
mkdirSync(dirname(eventsOut), { recursive: true });
const output = join(out, 'daemon-output.jsonl');
const [httpPort, healthPort] = [await freePort(), await freePort()];
say(`corpus ${dir}: ${corpusKeys(dir).length} series; config ${CONFIG}`);
const started = Date.now();
const daemon = await Daemon.start(readFileSync(CONFIG, 'utf8'), healthPort, [], { NAB_HTTP_PORT: String(httpPort), NAB_HEALTH_PORT: String(healthPort), NAB_OUTPUT: output });
try {
  await feed(httpPort);
} finally {
  const code = await daemon.stop();
  for (const line of daemon.logs().filter((l) => Number(l.level) >= 40)) say(`vigil: ${JSON.stringify(line)}`);
  if (code !== 0) say(`vigil exited with ${code}:\n${daemon.stderr}`);
}
const seconds = (Date.now() - started) / 1000;
const { scores, events } = await readOutput(output);
writeFileSync(eventsOut, events.map((e) => `${JSON.stringify({ series: e.series, timestamp: new Date(e.t).toISOString() })}\n`).join(''));
const fromEvents = await score(dir, { events: eventsOut });
const optimised = await score(dir, { results: writeDense(scores) });
const points = [...scores.values()].reduce((n, l) => n + l.length, 0);
say(`daemon: ${points} points scored, ${events.length} events, ${seconds.toFixed(1)} s from start to drained exit`);
say(`events, default threshold: ${fmt(fromEvents.scores)}`);
say(`vigil.anomaly.score, threshold optimised: ${fmt(optimised.scores)}`);
say(`events: ${eventsOut}`);
writeFileSync(join(out, 'summary.json'), `${JSON.stringify({ corpus: dir, points, events: events.length, seconds, events_score: fromEvents.scores, optimised_score: optimised.scores }, null, 2)}\n`);
