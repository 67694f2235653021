import { test } from 'tap';
import { writeInt32, writeInt64, writeUint64 } from './json-numbers.js';

const TWO32 = 1n << 32n;

function text(put: (b: Uint8Array, p: number) => number): string {
  const b = new Uint8Array(32).fill(0x78);
  const end = put(b, 3);
  return Buffer.from(b.subarray(3, end)).toString('latin1');
}

function halves(v: bigint): [number, number] {
  const u = BigInt.asUintN(64, v);
  return [Number(u % TWO32), Number(u / TWO32)];
}

/** Values around every boundary the writers branch on, plus a seeded sweep. */
function samples(): bigint[] {
  const out = [0n, 1n, 9n, 10n, 99n, 100n, 999_999_999n, 1_000_000_000n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n,
    1700000000123456789n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 10n ** 19n, 10n ** 19n - 1n];
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 5000; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    out.push(x >> BigInt(i % 64));
  }
  return out;
}

test('writeUint64 and writeInt64 agree with BigInt on every sample', async (t) => {
  let bad = 0;
  for (const v of samples()) {
    const [lo, hi] = halves(v);
    if (text((b, p) => writeUint64(b, p, lo, hi)) !== BigInt.asUintN(64, v).toString()) bad++;
    if (text((b, p) => writeInt64(b, p, lo, hi)) !== BigInt.asIntN(64, v).toString()) bad++;
  }
  t.equal(bad, 0);
  t.equal(text((b, p) => writeInt64(b, p, 0, 0x80000000)), '-9223372036854775808');
  t.equal(text((b, p) => writeUint64(b, p, 0xffffffff, 0xffffffff)), '18446744073709551615');
});

test('writeInt32 writes what String() writes', async (t) => {
  for (const v of [0, 1, -1, 7, -10, 123456789, 999999999, 1000000000, 2147483647, -2147483648, 4294967295]) {
    t.equal(text((b, p) => writeInt32(b, p, v)), String(v), String(v));
  }
});
