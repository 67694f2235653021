/** Backup file names and pruning, as lumberjack (otelcol's rotation library) does them. */
import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { RotationConfig } from './config.js';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2006-01-02T15-04-05.000`: an ISO timestamp with dashes for colons, so it is a valid file name everywhere. */
export function backupTimestamp(at: Date, localtime: boolean): string {
  const [y, mo, d, h, mi, s, ms] = localtime
    ? [at.getFullYear(), at.getMonth() + 1, at.getDate(), at.getHours(), at.getMinutes(), at.getSeconds(), at.getMilliseconds()]
    : [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), at.getUTCMilliseconds()];
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}-${pad(mi)}-${pad(s)}.${pad(ms, 3)}`;
}

/** `dir/name-<timestamp>.ext` for `dir/name.ext`. */
export function backupName(path: string, at: Date, localtime: boolean): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}-${backupTimestamp(at, localtime)}${ext}`);
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/;

/** Backups of `path` in its folder, newest first. */
export async function listBackups(path: string, localtime: boolean): Promise<Array<{ file: string; at: number }>> {
  const ext = extname(path);
  const prefix = `${basename(path, ext)}-`;
  const found: Array<{ file: string; at: number }> = [];
  for (const name of await readdir(dirname(path))) {
    if (!name.startsWith(prefix) || !name.endsWith(ext)) continue;
    const m = STAMP.exec(name.slice(prefix.length, name.length - ext.length));
    if (!m) continue;
    const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
    const at = localtime ? new Date(y, mo - 1, d, h, mi, s, ms).getTime() : Date.UTC(y, mo - 1, d, h, mi, s, ms);
    found.push({ file: join(dirname(path), name), at });
  }
  return found.sort((a, b) => b.at - a.at);
}

/** Deletes backups beyond `max_backups` (0: no limit) and older than `max_days`; returns what it deleted. */
export async function pruneBackups(path: string, rotation: RotationConfig, now = Date.now()): Promise<string[]> {
  const backups = await listBackups(path, rotation.localtime);
  const doomed = backups.filter((b, i) =>
    (rotation.max_backups > 0 && i >= rotation.max_backups)
    || (rotation.max_days !== undefined && rotation.max_days > 0 && now - b.at > rotation.max_days * 86_400_000));
  await Promise.all(doomed.map((b) => unlink(b.file).catch(() => {})));
  return doomed.map((b) => b.file);
}
