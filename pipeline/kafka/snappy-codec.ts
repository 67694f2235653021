/**
 * Snappy as Kafka clients write it. The Java client (snappy-java's SnappyOutputStream) frames the
 * raw blocks the "xerial" way: a 16-byte header, then [int32 length][raw snappy block] chunks; the
 * Go clients (franz-go, sarama) and librdkafka write one raw block. Every client reads both, so
 * vigil reads both and writes the xerial framing, the one the reference client writes.
 */
import snappy from 'snappyjs';

/** snappy-java's stream magic: 0x82 "SNAPPY" 0x00, then version 1 and compatible version 1. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
/** snappy-java's default block size. */
const XERIAL_BLOCK = 32 * 1024;

/** True when `buf` starts with snappy-java's framing header. */
export function isXerial(buf: Buffer): boolean {
  return buf.length >= XERIAL_HEADER.length && buf.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** Compresses `data` in snappy-java's framing (32 KiB raw snappy chunks). */
export function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK) {
    const block = snappy.compress(data.subarray(at, at + XERIAL_BLOCK));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(block.length);
    parts.push(length, Buffer.from(block.buffer, block.byteOffset, block.length));
  }
  return Buffer.concat(parts);
}

/** Decompresses either framing: snappy-java's chunks, or one raw snappy block. */
export function snappyDecompress(buf: Buffer): Buffer {
  if (!isXerial(buf)) return toBuffer(snappy.uncompress(buf));
  const parts: Buffer[] = [];
  let at = XERIAL_HEADER.length;
  while (at < buf.length) {
    if (at + 4 > buf.length) throw new Error('snappy: truncated chunk length in xerial framing');
    const length = buf.readUInt32BE(at);
    at += 4;
    if (at + length > buf.length) throw new Error('snappy: chunk runs past the end of the xerial framing');
    parts.push(toBuffer(snappy.uncompress(buf.subarray(at, at + length))));
    at += length;
  }
  return Buffer.concat(parts);
}

function toBuffer(a: Uint8Array): Buffer {
  return Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.length);
}
