import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { tempDir } from '../../test/daemon.js';
import { backupName, pruneBackups } from './backups.js';

t.test('backup names: lumberjack timestamps before the extension', async (t) => {
  const at = new Date(Date.UTC(2024, 4, 1, 12, 30, 5, 7));
  t.equal(backupName('/var/log/traces.jsonl', at, false), '/var/log/traces-2024-05-01T12-30-05.007.jsonl');
  t.equal(backupName('/var/log/traces', at, false), '/var/log/traces-2024-05-01T12-30-05.007');
});

t.test('pruning by max_days and max_backups, other files untouched', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'out.jsonl');
  const now = Date.UTC(2024, 4, 10);
  for (const day of [1, 5, 8, 9]) writeFileSync(backupName(path, new Date(Date.UTC(2024, 4, day)), false), 'x');
  writeFileSync(path, 'current');
  writeFileSync(join(dir, 'other-2024-05-01T00-00-00.000.jsonl'), 'someone else');
  const deleted = await pruneBackups(path, { max_megabytes: 1, max_backups: 0, max_days: 3, localtime: false }, now);
  t.equal(deleted.length, 2, 'the two older than 3 days');
  t.same(readdirSync(dir).sort(), ['other-2024-05-01T00-00-00.000.jsonl', 'out-2024-05-08T00-00-00.000.jsonl', 'out-2024-05-09T00-00-00.000.jsonl', 'out.jsonl']);
  await pruneBackups(path, { max_megabytes: 1, max_backups: 1, localtime: false }, now);
  t.same(readdirSync(dir).sort(), ['other-2024-05-01T00-00-00.000.jsonl', 'out-2024-05-09T00-00-00.000.jsonl', 'out.jsonl'], 'newest kept');
});
