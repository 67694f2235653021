/** The byte-level series hash: order-independent per attribute set, deterministic, pinned. */
import t from 'tap';
import { double, nested, string, writeAttributes, type AttributesInput } from './build-common.js';
import { hashBytes, hashKeyValues, seriesHash } from './series-hash.js';
import { Writer } from './wire.js';

/** A message holding `attrs` as KeyValues in field 1, and the hash of that set. */
function setHash(attrs: AttributesInput): number {
  const w = new Writer();
  writeAttributes(w, 1, attrs);
  const b = w.finish();
  return hashKeyValues(b, 0, b.length, 1);
}

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');

t.test('hashBytes: Murmur3 32-bit, seed 0, pinned so every process and machine agree', async (t) => {
  // the published Murmur3_x86_32 (seed 0) values
  t.equal(hashBytes(text(''), 0, 0) >>> 0, 0);
  t.equal(hashBytes(text('hello'), 0, 5) >>> 0, 0x248bfa47);
  t.equal(hashBytes(text('The quick brown fox jumps over the lazy dog'), 0, 43) >>> 0, 0x2e4ff723);
  const b = text('xxabcxx');
  t.equal(hashBytes(b, 2, 5), hashBytes(text('abc'), 0, 3), 'a range hashes like the same bytes alone');
  // pinned: which partition a series lands on must never change between versions
  t.equal(seriesHash(hashBytes(text('m'), 0, 1), setHash({ 'service.name': 'checkout' }), setHash({ code: 200 })), 0x12dbf414);
});

t.test('hashKeyValues: attribute order does not matter, contents do', async (t) => {
  const base = { 'service.name': 'checkout', 'host.name': 'node-7', pid: 42, ratio: 0.5, ok: true, tags: ['a', 'b'], nested: { x: 1, y: 'z' } };
  const reversed = Object.fromEntries(Object.entries(base).reverse()) as AttributesInput;
  t.equal(setHash(base), setHash(reversed), 'reversed order');
  t.equal(setHash({ a: 'x', b: 'y', c: 'z' }), setHash({ c: 'z', a: 'x', b: 'y' }), 'rotated order');
  t.equal(setHash({}), 0, 'an empty set hashes to 0');
  t.not(setHash({ a: 'x' }), 0);
  t.not(setHash({ a: 'x', b: 'y' }), setHash({ a: 'y', b: 'x' }), 'values stay with their keys');
  t.not(setHash({ a: 'x' }), setHash({ a: 'x', b: '' }), 'an extra attribute counts, even empty');
  t.not(setHash({ n: 3 }), setHash({ n: 3.5 }));
  t.not(setHash({ n: 3 }), setHash({ n: '3' }), 'a string is not a number');
  // documented: the bytes decide, so an int 3 and a double 3.0 are two series here (seriesId makes them one)
  const w3 = new Writer();
  nested(w3, 1, () => { string(w3, 1, 'n'); nested(w3, 2, () => double(w3, 4, 3)); });
  const asDouble = w3.finish();
  t.not(hashKeyValues(asDouble, 0, asDouble.length, 1), setHash({ n: 3 }), 'int 3 and double 3.0 differ');
  t.not(setHash({ k: { x: 1, y: 2 } }), setHash({ k: { x: 2, y: 1 } }), 'nested kvlists by their bytes');
  t.not(setHash({ k: [1, 2] }), setHash({ k: [2, 1] }), 'arrays are ordered');
  // two KeyValues with one key (OTLP forbids it): both count, deterministically, and a repeat does not cancel
  const w = new Writer();
  writeAttributes(w, 1, { a: 'x' });
  writeAttributes(w, 1, { a: 'x' });
  const dup = w.finish();
  t.not(hashKeyValues(dup, 0, dup.length, 1), 0, 'a repeated KeyValue is not cancelled out (a sum, not a xor)');
  t.equal(hashKeyValues(dup, 0, dup.length, 1), hashKeyValues(dup, 0, dup.length, 1));
});

t.test('seriesHash: name, resource and point attributes apart', async (t) => {
  const name = hashBytes(text('m'), 0, 1);
  const a = setHash({ a: 'x' });
  t.not(seriesHash(name, a, 0), seriesHash(name, 0, a), 'on the resource or on the point: two series');
  t.not(seriesHash(name, 0, 0), seriesHash(hashBytes(text('n'), 0, 1), 0, 0));
  t.not(seriesHash(name, setHash({ a: 'x', b: 'y' }), 0), seriesHash(name, a, setHash({ b: 'y' })));
  t.ok(seriesHash(name, a, a) >= 0, 'unsigned');
});
