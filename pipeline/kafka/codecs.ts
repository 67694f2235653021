/**
 * The compression codecs kafkajs lacks — snappy, lz4 and zstd — from pure JavaScript (and, for
 * zstd compression on Node older than 22.15, WebAssembly): no native addon. kafkajs itself has
 * gzip. Registered once per process, for producing and for reading what other clients compressed.
 */
import kafkajs from 'kafkajs';
import type { KafkaCompression } from './compressions.js';
import { lz4Compress, lz4Decompress } from './lz4-codec.js';
import { snappyCompress, snappyDecompress } from './snappy-codec.js';
import { zstdCompress, zstdDecompress } from './zstd-codec.js';

// kafkajs is CommonJS and Node cannot see CompressionCodecs as a named export.
const { CompressionCodecs, CompressionTypes } = kafkajs;


/** kafkajs' attribute value of each compression name. */
export const COMPRESSION_TYPE: Record<KafkaCompression, kafkajs.CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

type Encoder = { buffer: Buffer };

let registered = false;

/** Teaches kafkajs snappy, lz4 and zstd; harmless to call more than once. */
export function registerCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = () => ({
    compress: async (encoder: Encoder) => snappyCompress(encoder.buffer),
    decompress: async (buffer: Buffer) => snappyDecompress(buffer),
  });
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: Encoder) => lz4Compress(encoder.buffer),
    decompress: async (buffer: Buffer) => lz4Decompress(buffer),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: (encoder: Encoder) => zstdCompress(encoder.buffer),
    decompress: (buffer: Buffer) => zstdDecompress(buffer),
  });
}
