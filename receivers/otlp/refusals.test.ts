/** Refusals warn once per burst, not once per request. */
import { Writable } from 'node:stream';
import t from 'tap';
import { pino } from 'pino';
import { QueueFullError } from '../../pipeline/errors.js';
import { BURST_QUIET_MS, RefusalLog } from './refusals.js';

t.test('one warning per burst, every refusal at debug', async (t) => {
  const lines: Array<{ level: number; msg: string; previousBurst?: number }> = [];
  const out = new Writable({ write: (c: Buffer, _e, cb) => { lines.push(JSON.parse(c.toString()) as never); cb(); } });
  let now = 1_000_000;
  const log = new RefusalLog(pino({ level: 'debug' }, out), () => now);
  const err = new QueueFullError('stage log full');
  for (let i = 0; i < 50; i++) {
    log.note(err, 'traces', 'grpc', 10);
    now += 100;
  }
  const warns = (): typeof lines => lines.filter((l) => l.level === 40);
  t.equal(warns().length, 1, 'fifty refusals in a burst: one warning');
  t.equal(lines.filter((l) => l.level === 20).length, 50, 'each at debug');
  now += BURST_QUIET_MS;
  log.note(err, 'traces', 'http', 10);
  t.equal(warns().length, 2, 'a new burst after a quiet spell warns again');
  t.equal(warns()[1]!.previousBurst, 50, 'and says how many the last burst refused');
});
