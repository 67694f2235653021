/**
 * Compression codecs kafkajs lacks, from Node's own zlib: zstd where the running Node has it
 * (22.15 and later). Registered once per process, for producing and for reading records others
 * compressed. Snappy and LZ4 have no codec here: no maintained pure-JavaScript one is bundled.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import kafkajs from 'kafkajs';
import { ZSTD_AVAILABLE } from '../../config/kafka-client.js';

// kafkajs is CommonJS and Node cannot see CompressionCodecs as a named export.
const { CompressionCodecs, CompressionTypes } = kafkajs;

type ZstdZlib = {
  zstdCompress?: (buf: Buffer, cb: (err: Error | null, out: Buffer) => void) => void;
  zstdDecompress?: (buf: Buffer, cb: (err: Error | null, out: Buffer) => void) => void;
};

let registered = false;

/** Teaches kafkajs the codecs this Node offers; harmless to call more than once. */
export function registerCodecs(): void {
  if (registered || !ZSTD_AVAILABLE) return;
  registered = true;
  const z = zlib as unknown as Required<ZstdZlib>;
  const compress = promisify(z.zstdCompress);
  const decompress = promisify(z.zstdDecompress);
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: (encoder: { buffer: Buffer }) => compress(encoder.buffer),
    decompress: (buffer: Buffer) => decompress(buffer),
  });
}
