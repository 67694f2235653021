/**
 * Decisions in a durable state store: a decided trace's records are acknowledged only by the
 * checkpoint that saves its decision, and the next owner of the partition (after a rebalance or a
 * restart) sends late spans the way the first owner decided.
 */
import t from 'tap';
import type { Processor } from '../../pipeline/component.js';
import type { PartitionState } from '../../pipeline/state/partition-state.js';
import { RetryableError } from '../../pipeline/errors.js';
import { forEachSpan, type Payload } from '../../pdata/index.js';
import { RecordingConsumer, testSettings } from '../../test/doubles.js';
import { deliverAt, durableHost, ownPartition } from '../../test/durable-partition.js';
import { configSchema } from './config.js';
import { DecisionCheckpoint, decodeDecision, encodeDecision } from './decision-checkpoint.js';
import { DecisionMemory } from './pending.js';
import { createTailSampling } from './processor.js';
import { traceIdHex, tracePayload } from './test-traces.js';

const ERRORS = [{ name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } }];
const logger = testSettings('tail_sampling').logger;

t.test('a decision survives its encoding', async (t) => {
  for (const decision of ['sampled', 'not_sampled', 'dropped'] as const) {
    t.same(decodeDecision(encodeDecision({ decision, atWall: 1_764_150_000_123.5 })), { decision, atWall: 1_764_150_000_123.5 });
  }
  t.equal(decodeDecision(new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0, 0])), undefined, 'an unknown code is not a decision');
  t.equal(decodeDecision(new Uint8Array([0])), undefined, 'nor is a short value');
});

/** A durable partition state over a map, whose saves can be made to fail. */
function fakeState() {
  const fields = new Map<string, Uint8Array>();
  const state = {
    key: 'test', durable: true, down: false,
    load: () => Promise.resolve(new Map(fields)),
    save(put: ReadonlyMap<string, Uint8Array | string>, remove: Iterable<string> = []) {
      if (state.down) return Promise.reject(new RetryableError('store down'));
      for (const [k, v] of put) fields.set(k, v as Uint8Array);
      for (const k of remove) fields.delete(k);
      return Promise.resolve();
    },
    clear: () => { fields.clear(); return Promise.resolve(); },
  };
  return { state: state as PartitionState & { down: boolean }, fields };
}

t.test('holds wait for the checkpoint; forgotten decisions leave the store; a failed save keeps everything for the next', async (t) => {
  const { state, fields } = fakeState();
  const cp = new DecisionCheckpoint(state, logger);
  const memory = new DecisionMemory(2);
  const decide = (key: string) => {
    const r = { decision: 'sampled' as const, atWall: Date.now() };
    cp.noteDecided(key, r, memory.set(key, r));
  };
  let released = 0;
  const hold = { release: () => { released++; } };
  decide('a');
  decide('b');
  cp.releaseAfterCheckpoint([hold]);
  t.equal(released, 0, 'not released before the decision is saved');
  state.down = true;
  t.equal(await cp.save(), false);
  t.equal(released, 0, 'nor after a failed save');
  decide('c'); // forgets a
  state.down = false;
  t.equal(await cp.save(), true);
  t.equal(released, 1, 'released by the save that held its decision');
  t.same([...fields.keys()].sort(), [Buffer.from('b', 'latin1').toString('hex'), Buffer.from('c', 'latin1').toString('hex')], 'a was never written, b and c are');
  decide('d'); // forgets b
  await cp.save();
  t.same([...fields.keys()].sort(), ['63', '64'], 'b removed when forgotten');

  const reloaded = new DecisionMemory(10);
  t.equal(await new DecisionCheckpoint(state, logger).load(reloaded), 2);
  t.equal(reloaded.get('c')?.decision, 'sampled');
  t.equal(reloaded.get('b'), undefined);
});

t.test('the next owner of a partition sends late spans as the first owner decided', async (t) => {
  const sink = new RecordingConsumer();
  const host = durableHost(); // as Redis: checkpoints outlive the owner
  const config = configSchema.parse({ policies: ERRORS, decision_wait: '1s', checkpoint_interval: '50ms' });
  const make = () => ownPartition(() => createTailSampling({ ...testSettings('tail_sampling'), pipeline: 'traces' }, config, 'traces', sink), host);
  const deliver = (proc: Processor, offset: bigint, payload: Payload) => deliverAt(proc, 'traces.ingest', offset, payload);
  const spans = () => {
    const ids: number[] = [];
    for (const p of sink.received) forEachSpan(p, (s) => ids.push(parseInt(Buffer.from(s.traceId).toString('hex'), 16)));
    return ids;
  };

  const first = await make();
  const sampled = await deliver(first, 0n, tracePayload(traceIdHex(1), [{ status: 2 }]));
  const notSampled = await deliver(first, 1n, tracePayload(traceIdHex(2), [{}]));
  await deliver(first, 2n, tracePayload(traceIdHex(9), [{ start: 2_000, end: 2_000 }])); // moves event time past both decisions
  t.same(spans(), [1], 'trace 1 sampled, trace 2 not');
  t.notOk(sampled() || notSampled(), 'both records wait for the checkpoint of their decisions');
  await new Promise((r) => setTimeout(r, 300));
  t.ok(sampled() && notSampled(), 'the checkpoint released them');
  await first.revoked!([0], { redelivered: true });

  const second = await make();
  await deliver(second, 2n, tracePayload(traceIdHex(9), [{ start: 2_000, end: 2_000 }])); // redelivered: still undecided
  await deliver(second, 3n, tracePayload(traceIdHex(1), [{ start: 2_100, end: 2_100, root: false }]));
  await deliver(second, 4n, tracePayload(traceIdHex(2), [{ start: 2_100, end: 2_100, status: 2, root: false }]));
  t.same(spans(), [1, 1], 'trace 1\'s late span forwarded at once; trace 2\'s dropped, even with an error now');
  await second.revoked!([0], { redelivered: false });
  t.same(spans(), [1, 1], 'and trace 2 was not decided anew at shutdown');
});
