/** Reading a corpus in NAB's layout: data/<category>/<file>.csv and its windows file, and running its scorer. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The development half of NAB shipped with the project. */
export const DEV_CORPUS = '/work/shared/data/nab';
/** NAB's scorer (a faithful re-implementation; its README says how it reproduces NAB). */
export const SCORER = process.env.NAB_SCORER ?? '/work/shared/tools/nab/nab_score.py';

/** One series: its key `<category>/<file>` (no .csv) and its rows. */
export interface Series {
  readonly key: string;
  readonly rows: ReadonlyArray<{ readonly t: number; readonly stamp: string; readonly value: number }>;
}

/** The series keys of a corpus, from its windows file (NAB's labels/combined_windows.json or labels.json). */
export function corpusKeys(dir: string): string[] {
  const labels = [join(dir, 'labels', 'combined_windows.json'), join(dir, 'labels.json')].find((p) => existsSync(p));
  if (!labels) throw new Error(`${dir}: no labels/combined_windows.json nor labels.json`);
  return Object.keys(JSON.parse(readFileSync(labels, 'utf8')) as Record<string, unknown>).sort().map((k) => k.replace(/\.csv$/, ''));
}

/** Reads data/<key>.csv; timestamps have no zone and are read as UTC. */
export function readSeries(dir: string, key: string): Series {
  const lines = readFileSync(join(dir, 'data', `${key}.csv`), 'utf8').split(/\r?\n/);
  const header = lines[0]!.split(',').map((h) => h.trim());
  const ti = header.indexOf('timestamp');
  const vi = header.indexOf('value');
  const rows = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const stamp = cells[ti]!.trim();
    rows.push({ t: Date.parse(`${stamp.replace(' ', 'T')}Z`), stamp, value: Number(cells[vi]) });
  }
  return { key, rows };
}

/** NAB's three profile scores, as the scorer printed them. */
export type Scores = Record<string, number>;

/** Runs the scorer on events (JSON lines) or on a results directory (dense scores; threshold optimised). */
export async function score(dir: string, input: { events: string } | { results: string }): Promise<{ scores: Scores; text: string }> {
  const args = 'events' in input ? [SCORER, '--events', input.events, '--corpus', dir] : [SCORER, input.results, '--corpus', dir];
  const { stdout } = await promisify(execFile)('python3', args, { maxBuffer: 64 << 20 });
  const scores: Scores = {};
  for (const m of stdout.matchAll(/^\s*(standard|reward_low_FP_rate|reward_low_FN_rate)\b[^\d-]*(-?\d+(?:\.\d+)?)/gm)) scores[m[1]!] = Number(m[2]);
  return { scores, text: stdout };
}
