/**
 * The snappy, lz4 and zstd codecs: round trips through kafkajs' codec table, the framings other
 * Kafka clients write (fixtures from the reference lz4 and zstd command-line tools, hand-made
 * snappy vectors), and what vigil writes.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import kafkajs from 'kafkajs';
import snappy from 'snappyjs';
import t from 'tap';
import { COMPRESSION_TYPE, registerCodecs } from './codecs.js';
import { blockBound, compressBlock, newHashTable } from './lz4-block.js';
import { lz4Compress, lz4Decompress } from './lz4-codec.js';
import { isXerial, snappyCompress, snappyDecompress } from './snappy-codec.js';
import { NATIVE_ZSTD, jsZstdDecompress, wasmZstdCompress, zstdCompress, zstdDecompress } from './zstd-codec.js';

const { CompressionCodecs } = kafkajs;
const fixture = (name: string): Buffer => readFileSync(new URL(`../../../pipeline/kafka/testdata/${name}`, import.meta.url));

/** The text the fixtures compress (126,390 bytes: two 64 KiB lz4 blocks and more). */
function sample(): Buffer {
  let s = '';
  for (let i = 0; i < 5000; i++) s += `span ${i} service-${i % 7} ${'abcdefghij'.slice(0, i % 10)}\n`;
  return Buffer.from(s);
}

const inputs: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  'one byte': Buffer.from('x'),
  sample: sample(),
  'incompressible 300 KB': randomBytes(300_000),
};

t.test('every codec round-trips through kafkajs once registered', async (t) => {
  registerCodecs();
  for (const name of ['snappy', 'lz4', 'zstd'] as const) {
    const codec = (CompressionCodecs as Record<number, () => { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> }>)[COMPRESSION_TYPE[name]]!();
    for (const [what, input] of Object.entries(inputs)) {
      const packed = await codec.compress({ buffer: input });
      t.ok((await codec.decompress(packed)).equals(input), `${name}: ${what}`);
      if (what === 'sample') t.ok(packed.length < input.length / 2, `${name} compresses the sample (${packed.length} bytes)`);
    }
  }
});

t.test('snappy: writes snappy-java framing, reads it and raw blocks', async (t) => {
  const packed = snappyCompress(inputs.sample!);
  t.ok(isXerial(packed), 'the xerial header');
  t.same([...packed.subarray(8, 16)], [0, 0, 0, 1, 0, 0, 0, 1], 'version 1, compatible version 1');
  t.ok(snappyDecompress(packed).equals(inputs.sample!));
  // Raw snappy, as Go clients and librdkafka write: one block, no framing.
  t.ok(snappyDecompress(Buffer.from(snappy.compress(inputs.sample!))).equals(inputs.sample!), 'raw block');
  // Hand-made: "hello" is varint length 5, then a literal tag ((5-1) << 2) and the bytes.
  const hello = Buffer.from([0x05, 0x10, ...Buffer.from('hello')]);
  t.equal(snappyDecompress(hello).toString(), 'hello', 'hand-made raw block');
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const chunk = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  t.equal(snappyDecompress(Buffer.concat([header, chunk(hello), chunk(hello)])).toString(), 'hellohello', 'hand-made xerial, two chunks');
  t.throws(() => snappyDecompress(Buffer.concat([header, Buffer.from([0, 0, 0, 9, 5])])), /past the end/, 'a truncated chunk');
});

t.test('lz4: reads frames the reference lz4 tool writes', async (t) => {
  t.ok(lz4Decompress(fixture('sample.default.lz4')).equals(inputs.sample!), 'default: 4 MiB independent blocks, content checksum');
  t.ok(lz4Decompress(fixture('sample.dependent-checksums.lz4')).equals(inputs.sample!),
    '64 KiB dependent blocks with block checksums, content size and content checksum');
  const two = Buffer.concat([fixture('sample.default.lz4'), lz4Compress(Buffer.from('tail'))]);
  t.ok(lz4Decompress(two).equals(Buffer.concat([inputs.sample!, Buffer.from('tail')])), 'two concatenated frames');
  t.throws(() => lz4Decompress(fixture('sample.default.lz4').subarray(0, 1000)), /truncated/);
  t.throws(() => lz4Decompress(Buffer.from('not lz4 at all')), /not an LZ4 frame/);
});

t.test('lz4: writes what the Java client writes', async (t) => {
  const packed = lz4Compress(inputs.sample!);
  // Magic, FLG (version 1, independent blocks), BD (64 KiB), and the header checksum xxh32 gives.
  t.same([...packed.subarray(0, 7)], [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
  t.same([...packed.subarray(-4)], [0, 0, 0, 0], 'ends with the EndMark');
});

t.test('zstd: reads a streamed frame (no content size), on either path', async (t) => {
  const frame = fixture('sample.streamed.zst');
  t.ok(jsZstdDecompress(frame).equals(inputs.sample!), 'fzstd');
  t.ok((await zstdDecompress(frame)).equals(inputs.sample!), NATIVE_ZSTD ? "Node's zlib" : 'fzstd (this Node has no zlib zstd)');
});

t.test('zstd: the WebAssembly compressor writes standard frames', async (t) => {
  const packed = await wasmZstdCompress(inputs.sample!);
  t.equal(packed.readUInt32LE(0), 0xfd2fb528, 'the zstd frame magic');
  t.ok(jsZstdDecompress(packed).equals(inputs.sample!));
  t.ok((await zstdDecompress(packed)).equals(inputs.sample!));
  t.ok(jsZstdDecompress(await zstdCompress(inputs.sample!)).equals(inputs.sample!), 'what this Node writes, read by fzstd');
});

/** Walks one LZ4 block's sequences; returns where the last match started and ended in the output. */
function lastMatch(block: Buffer): { start: number; end: number; size: number } {
  let i = 0;
  let pos = 0;
  let last = { start: -1, end: -1 };
  const length = (n: number): number => {
    if (n < 15) return n;
    for (;;) {
      const b = block[i++]!;
      n += b;
      if (b !== 255) return n;
    }
  };
  while (i < block.length) {
    const token = block[i++]!;
    const lit = length(token >> 4);
    i += lit;
    pos += lit;
    if (i >= block.length) break;
    i += 2;
    const len = length(token & 15) + 4;
    last = { start: pos, end: pos + len };
    pos += len;
  }
  return { ...last, size: pos };
}

t.test('lz4: blocks keep the end-of-block rules that strict decoders (the broker) enforce', async (t) => {
  const table = newHashTable();
  // Repetitive data right to the end: a naive compressor matches into the last bytes.
  for (const input of [Buffer.alloc(65_536, 'ab'), inputs.sample!.subarray(0, 65_536), Buffer.alloc(100, 7), Buffer.from('aaaaaaaaaaaaaaaaaaaaaaaa')]) {
    const dst = Buffer.alloc(blockBound(input.length));
    const block = dst.subarray(0, compressBlock(input, 0, input.length, dst, table));
    const m = lastMatch(block);
    t.equal(m.size, input.length, `decodes to ${input.length} bytes`);
    t.ok(m.start <= input.length - 12, `the last match starts 12+ bytes before the end (${m.start} of ${input.length})`);
    t.ok(m.end <= input.length - 5, `the last 5 bytes are literals (last match ends at ${m.end})`);
  }
});
