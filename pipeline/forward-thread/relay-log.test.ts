/** The main thread's end of a relayed memory log: what it sends, what it makes of refusals, how it drains. */
import t from 'tap';
import { Payload } from '../../pdata/payload.js';
import { partitionOf } from '../../pdata/records.js';
import { QueueFullError, RetryableError, ShuttingDownError } from '../errors.js';
import type { AppendPart, AppendRefusal } from './messages.js';
import { RelayLog, refusalOf, type AppendChannel } from './relay-log.js';

interface Sent { log: string; signal: string; bytes: Uint8Array; parts: readonly AppendPart[] }

/** A channel that records each append and answers when told to. */
function channel(): AppendChannel & { sent: Sent[]; answer: (a: { logBytes: number; refused?: AppendRefusal }) => void; size: number } {
  const waiting: Array<(a: { logBytes: number; refused?: AppendRefusal }) => void> = [];
  const c = {
    sent: [] as Sent[],
    size: 0,
    append(log: string, signal: string, bytes: ArrayBuffer, parts: readonly AppendPart[]) {
      c.sent.push({ log, signal, bytes: new Uint8Array(bytes), parts });
      return new Promise<{ logBytes: number; refused?: AppendRefusal }>((resolve) => waiting.push(resolve));
    },
    logBytes: () => c.size,
    answer: (a: { logBytes: number; refused?: AppendRefusal }) => waiting.shift()!(a),
  };
  return c;
}

const payload = (...bytes: number[]): Payload => new Payload('traces', Uint8Array.from(bytes), bytes.length);

t.test('an append sends its records in one buffer of their own and resolves when the other side accepted them', async (t) => {
  const c = channel();
  const log = new RelayLog('traces.ingest', 'traces', 8, 1000, c);
  const shared = new Uint8Array([9, 9, 1, 2, 3, 9]);
  const view = new Payload('traces', shared.subarray(2, 5), 1);
  const key = Uint8Array.from([7, 7, 7, 7]);
  let done = false;
  const appended = log.append([{ key: undefined, partition: 5, payload: view }, { key, payload: payload(4, 5) }]).then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  t.equal(done, false, 'not before the answer');
  t.same(c.sent.map((s) => [s.log, s.signal, [...s.bytes], s.parts]), [['traces.ingest', 'traces', [1, 2, 3, 4, 5], [[5, 3, 1], [partitionOf(key, 8), 2, 2]]]],
    'both records, back to back, with their partitions (a keyed one partitioned here) and item counts');
  t.not(c.sent[0]!.bytes.buffer, shared.buffer, 'a copy: the view\'s own buffer stays usable here');
  t.same([...shared], [9, 9, 1, 2, 3, 9]);
  c.answer({ logBytes: 5 });
  await appended;
  t.equal(done, true);
});

t.test('a refusal comes back as the error class a receiver maps to its status code', async (t) => {
  const c = channel();
  const log = new RelayLog('traces.ingest', 'traces', 1, 1000, c);
  const full = log.append([{ key: undefined, payload: payload(1) }]);
  c.answer({ logBytes: 990, refused: refusalOf(new QueueFullError('stage log traces.ingest is full (990 of 1000 bytes)', 1000)) });
  await t.rejects(full, { name: 'QueueFullError', message: /is full/, retryAfterMs: 1000 });
  const other = log.append([{ key: undefined, payload: payload(1) }]);
  c.answer({ logBytes: 0, refused: refusalOf(new Error('bug')) });
  const err = await other.catch((e: unknown) => e);
  t.ok(err instanceof RetryableError, 'anything else is retryable');
  const permanent = log.append([{ key: undefined, payload: payload(1) }]);
  c.answer({ logBytes: 0, refused: { name: 'PermanentError', message: 'no such log' } });
  await t.rejects(permanent, { name: 'PermanentError' });
});

t.test('checkRoom refuses on the size the other side last reported', async (t) => {
  const c = channel();
  const log = new RelayLog('traces.ingest', 'traces', 1, 1000, c);
  t.doesNotThrow(() => log.checkRoom(1000));
  c.size = 600;
  t.throws(() => log.checkRoom(401), QueueFullError);
  t.doesNotThrow(() => log.checkRoom(400));
  t.same(log.stats(), { records: 0, bytes: 600, capacityBytes: 1000 });
});

t.test('drain waits for the appends under way and refuses new ones', async (t) => {
  const c = channel();
  const log = new RelayLog('traces.ingest', 'traces', 1, 1000, c);
  const first = log.append([{ key: undefined, payload: payload(1) }]);
  let drained: number | undefined;
  const draining = log.drain(Date.now() + 5000).then((n) => (drained = n));
  await t.rejects(log.append([{ key: undefined, payload: payload(2) }]), ShuttingDownError);
  t.throws(() => log.checkRoom(1), ShuttingDownError);
  await new Promise((r) => setImmediate(r));
  t.equal(drained, undefined, 'still waiting for the first append');
  c.answer({ logBytes: 1 });
  await first;
  await draining;
  t.equal(drained, 0);

  const stuck = new RelayLog('traces.ingest', 'traces', 1, 1000, channel());
  void stuck.append([{ key: undefined, payload: payload(1) }]);
  t.equal(await stuck.drain(Date.now() + 50), 1, 'an append never answered is counted at the deadline');
});
