/**
 * An LZ4 block compressor (greedy, one hash probe per position) that keeps the block format's
 * end-of-block rules: the last match starts at least 12 bytes before the end (MFLIMIT) and the
 * last 5 bytes are literals. Strict decoders — lz4-java's, which the Kafka broker runs on every
 * produced batch — refuse blocks that break them; lz4js' compressor does not keep them.
 */

const MIN_MATCH = 4;
const MFLIMIT = 12;
const LAST_LITERALS = 5;
const HASH_LOG = 16;
const MAX_DISTANCE = 65_535;

/** An upper bound of the compressed size of `n` bytes. */
export const blockBound = (n: number): number => n + Math.ceil(n / 255) + 16;

/** A reusable hash table for compressBlock. */
export const newHashTable = (): Int32Array => new Int32Array(1 << HASH_LOG);

/** Compresses src[start, end) as one independent LZ4 block into dst from 0; returns its length. */
export function compressBlock(src: Buffer, start: number, end: number, dst: Buffer, table: Int32Array): number {
  table.fill(-1);
  let out = 0;
  let anchor = start;
  let i = start;
  const lastMatchStart = end - MFLIMIT;
  const matchEndLimit = end - LAST_LITERALS;
  while (i <= lastMatchStart) {
    const seq = src.readUInt32LE(i);
    const h = Math.imul(seq, 2654435761) >>> (32 - HASH_LOG);
    const ref = table[h]!;
    table[h] = i;
    if (ref >= start && i - ref <= MAX_DISTANCE && src.readUInt32LE(ref) === seq) {
      let len = MIN_MATCH;
      while (i + len < matchEndLimit && src[ref + len] === src[i + len]) len++;
      out = writeSequence(dst, out, src, anchor, i - anchor, i - ref, len);
      i += len;
      anchor = i;
    } else {
      i++;
    }
  }
  return writeSequence(dst, out, src, anchor, end - anchor, 0, 0);
}

/** One sequence: token, literal length, literals, then (unless matchLen is 0) offset and match length. */
function writeSequence(dst: Buffer, out: number, src: Buffer, litStart: number, litLen: number, offset: number, matchLen: number): number {
  const m = matchLen === 0 ? 0 : matchLen - MIN_MATCH;
  dst[out++] = (Math.min(litLen, 15) << 4) | Math.min(m, 15);
  out = writeLength(dst, out, litLen);
  out += src.copy(dst, out, litStart, litStart + litLen);
  if (matchLen === 0) return out;
  dst[out++] = offset & 0xff;
  dst[out++] = offset >>> 8;
  return writeLength(dst, out, m);
}

/** The extra length bytes after a 4-bit field of 15: 255s, then the rest. */
function writeLength(dst: Buffer, out: number, n: number): number {
  if (n < 15) return out;
  let rest = n - 15;
  while (rest >= 255) {
    dst[out++] = 255;
    rest -= 255;
  }
  dst[out++] = rest;
  return out;
}
