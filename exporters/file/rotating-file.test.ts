/** The periodic fsync never holds writes (and so acknowledgements) up. */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { pino } from 'pino';
import { tempDir } from '../../test/daemon.js';
import { RotatingFile } from './rotating-file.js';

t.test('writes complete while an fsync is still running', async (t) => {
  const path = join(tempDir(), 'out.jsonl');
  // A disk whose fsync takes as long as we say: every FileHandle's sync waits for `release`.
  const probe = await open(path, 'w');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const realSync = proto.sync;
  let release: () => void = () => {};
  let syncs = 0;
  proto.sync = function (this: unknown): Promise<void> {
    syncs++;
    return new Promise<void>((resolve) => { release = resolve; }).then(() => realSync.call(this));
  };
  t.teardown(() => { proto.sync = realSync; });

  const file = new RotatingFile(path, false, undefined, 20, pino({ level: 'silent' }));
  await file.open();
  await file.write([Buffer.from('first\n')]);
  await new Promise((r) => setTimeout(r, 60));
  t.equal(syncs, 1, 'the timer started an fsync, which hangs');
  const second = await Promise.race([file.write([Buffer.from('second\n')]).then(() => 'written'), new Promise((r) => setTimeout(() => r('held up'), 500))]);
  t.equal(second, 'written', 'the next write did not wait for it');
  release();
  const closing = file.close(Date.now() + 5000);
  await new Promise((r) => setTimeout(r, 20));
  release();
  await closing;
  t.ok(syncs >= 2, 'close fsyncs once more');
});
