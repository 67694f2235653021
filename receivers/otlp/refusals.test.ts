/** Refusals are counted by reason and warn once per burst, not once per request. */
import { Writable } from 'node:stream';
import t from 'tap';
import { pino } from 'pino';
import { MemoryLimitError, PermanentError, QueueFullError, ShuttingDownError, UnavailableError } from '../../pipeline/errors.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { BURST_QUIET_MS, RefusalLog, refusalReason, type Refusal } from './refusals.js';

const refusal = (transport: string, items: number | undefined): Refusal =>
  ({ receiver: 'otlp', signal: 'traces', transport, reason: 'queue_full', bytes: 100, items });

t.test('one warning per burst, every refusal at debug', async (t) => {
  const lines: Array<{ level: number; msg: string; previousBurst?: number }> = [];
  const out = new Writable({ write: (c: Buffer, _e, cb) => { lines.push(JSON.parse(c.toString()) as never); cb(); } });
  let now = 1_000_000;
  const log = new RefusalLog(pino({ level: 'debug' }, out), undefined, () => now);
  const err = new QueueFullError('stage log full');
  for (let i = 0; i < 50; i++) {
    log.note(err, refusal('grpc', 10));
    now += 100;
  }
  const warns = (): typeof lines => lines.filter((l) => l.level === 40);
  t.equal(warns().length, 1, 'fifty refusals in a burst: one warning');
  t.equal(lines.filter((l) => l.level === 20).length, 50, 'each at debug');
  now += BURST_QUIET_MS;
  log.note(err, refusal('http', 10));
  t.equal(warns().length, 2, 'a new burst after a quiet spell warns again');
  t.equal(warns()[1]!.previousBurst, 50, 'and says how many the last burst refused');
});

t.test('every refusal counted in requests and bytes, decoded or not', async (t) => {
  const metrics = new SelfMetrics();
  const log = new RefusalLog(pino({ level: 'silent' }), metrics);
  log.note(new QueueFullError('full'), refusal('grpc', undefined));
  log.note(new QueueFullError('full'), refusal('grpc', 3));
  const labels = { receiver: 'otlp', transport: 'grpc', otel_signal: 'traces', reason: 'queue_full' };
  t.same((await metrics.receiverRefusedRequests.get()).values, [{ value: 2, labels }]);
  t.same((await metrics.receiverRefusedBytes.get()).values, [{ value: 200, labels }]);
});

t.test('the reason comes from the error type', async (t) => {
  t.equal(refusalReason(new QueueFullError('x'), false), 'queue_full');
  t.equal(refusalReason(new MemoryLimitError('x'), false), 'memory_limit');
  t.equal(refusalReason(new ShuttingDownError('x'), false), 'shutting_down');
  t.equal(refusalReason(new UnavailableError('draining'), true), 'shutting_down', 'anything while the receiver closes');
  t.equal(refusalReason(new QueueFullError('x'), true), 'queue_full', 'a full queue stays a full queue');
  t.equal(refusalReason(new UnavailableError('kafka away'), false), 'unavailable');
  t.equal(refusalReason(new PermanentError('x'), false), 'permanent');
});
