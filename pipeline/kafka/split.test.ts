import t from 'tap';
import { PermanentError } from '../errors.js';
import { decodeProtobuf, makeRealisticTraceRequest } from '../../pdata/index.js';
import { splitToFit } from './split.js';

t.test('a request larger than a record is cut into whole-item pieces that each fit', async (t) => {
  const bytes = makeRealisticTraceRequest(64);
  const payload = decodeProtobuf('traces', bytes).payload!;
  const max = Math.ceil(payload.bytes.byteLength / 5);
  const pieces = splitToFit(payload, max);
  t.ok(pieces.length >= 5, `${pieces.length} pieces`);
  for (const p of pieces) t.ok(p.bytes.byteLength <= max, `piece of ${p.bytes.byteLength} <= ${max}`);
  t.equal(pieces.reduce((n, p) => n + p.itemCount, 0), 64, 'no span lost or duplicated');
  for (const p of pieces) t.equal(decodeProtobuf('traces', p.bytes).payload!.itemCount, p.itemCount, 'each piece is a valid request');
  t.same(splitToFit(payload, payload.bytes.byteLength), [payload], 'a request that fits is left as it is');
});

t.test('one item larger than a record is a permanent error', async (t) => {
  const payload = decodeProtobuf('traces', makeRealisticTraceRequest(1)).payload!;
  t.throws(() => splitToFit(payload, 10), PermanentError);
});
