/**
 * LZ4 as Kafka carries it since record batch v1: the standard LZ4 frame format (magic 0x184D2204),
 * with a correct header checksum (KIP-57). Blocks are decoded by lz4js and encoded by ./lz4-block;
 * the framing is here so that every frame producers write reads back (block/content checksums,
 * content size, 64 KiB-4 MiB blocks, dependent blocks, concatenated frames) — lz4js' own frame
 * reader misplaces block checksums.
 * vigil writes what the Java client writes: independent 64 KiB blocks, no checksums beyond the header's.
 * Checksums are not verified on read: the record batch around the frame carries a CRC-32C.
 */
import lz4 from 'lz4js';
import xxh32 from 'lz4js/xxh32.js';
import { blockBound, compressBlock, newHashTable } from './lz4-block.js';

const MAGIC = 0x184d2204;
/** Skippable frames: magic 0x184D2A50-0x184D2A5F, a length, then bytes to ignore. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;
const FLG_VERSION = 0x40;
const FLG_BLOCK_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const UNCOMPRESSED_BIT = 0x80000000;
/** BD byte → maximum block size. */
const BLOCK_MAX: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };
const WRITE_BLOCK = 64 * 1024;

/** Compresses `data` to one LZ4 frame of independent 64 KiB blocks (as Kafka's Java client writes). */
export function lz4Compress(data: Buffer): Buffer {
  const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, FLG_VERSION | FLG_BLOCK_INDEPENDENT, 4 << 4, 0]);
  header[6] = (xxh32.hash(0, header, 4, 2) >>> 8) & 0xff;
  const parts: Buffer[] = [header];
  const table = newHashTable();
  const scratch = Buffer.alloc(blockBound(WRITE_BLOCK));
  for (let at = 0; at < data.length; at += WRITE_BLOCK) {
    const size = Math.min(WRITE_BLOCK, data.length - at);
    const packed = compressBlock(data, at, at + size, scratch, table);
    const length = Buffer.alloc(4);
    if (packed === 0 || packed >= size) {
      length.writeUInt32LE((UNCOMPRESSED_BIT | size) >>> 0);
      parts.push(length, data.subarray(at, at + size));
    } else {
      length.writeUInt32LE(packed);
      parts.push(length, Buffer.from(scratch.subarray(0, packed)));
    }
  }
  parts.push(Buffer.alloc(4)); // EndMark
  return Buffer.concat(parts);
}

/** Decompresses one or more concatenated LZ4 frames (skippable frames ignored). */
export function lz4Decompress(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    need(buf, at, 4);
    const magic = buf.readUInt32LE(at);
    if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE) {
      need(buf, at + 4, 4);
      at += 8 + buf.readUInt32LE(at + 4);
      continue;
    }
    if (magic !== MAGIC) throw new Error(`lz4: not an LZ4 frame (magic 0x${magic.toString(16)})`);
    at = readFrame(buf, at + 4, out);
  }
  return Buffer.concat(out);
}

type Block = { start: number; size: number; compressed: boolean };

/** Reads the frame whose descriptor starts at `at`; pushes its content; returns where it ends. */
function readFrame(buf: Buffer, at: number, out: Buffer[]): number {
  need(buf, at, 2);
  const flg = buf[at]!;
  if ((flg & 0xc0) !== FLG_VERSION) throw new Error(`lz4: unsupported frame version ${flg >> 6}`);
  const maxBlock = BLOCK_MAX[(buf[at + 1]! >> 4) & 7];
  if (maxBlock === undefined) throw new Error('lz4: invalid block maximum size');
  at += 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0) + 1; // + header checksum
  const blockChecksum = (flg & FLG_BLOCK_CHECKSUM) !== 0;
  const blocks: Block[] = [];
  let bound = 0;
  for (;;) {
    need(buf, at, 4);
    const word = buf.readUInt32LE(at);
    at += 4;
    if (word === 0) break;
    const size = (word & ~UNCOMPRESSED_BIT) >>> 0;
    const compressed = (word & UNCOMPRESSED_BIT) === 0;
    need(buf, at, size);
    blocks.push({ start: at, size, compressed });
    bound += compressed ? maxBlock : size;
    at += size + (blockChecksum ? 4 : 0);
  }
  if (flg & FLG_CONTENT_CHECKSUM) at += 4;
  // One buffer for the whole frame: dependent blocks may refer back into earlier blocks' output.
  const dst = Buffer.alloc(bound);
  let end = 0;
  for (const b of blocks) {
    if (b.compressed) end = lz4.decompressBlock(buf, dst, b.start, b.size, end);
    else end += buf.copy(dst, end, b.start, b.start + b.size);
  }
  out.push(dst.subarray(0, end));
  return at;
}

function need(buf: Buffer, at: number, n: number): void {
  if (at + n > buf.length) throw new Error('lz4: truncated frame');
}
