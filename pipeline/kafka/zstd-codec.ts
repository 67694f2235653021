/**
 * Zstandard (standard frames, as every Kafka client writes them). Node's zlib has zstd from 22.15;
 * on older Node (20, the machines' Node) compression runs the reference C library built to
 * WebAssembly (@bokuweb/zstd-wasm, no native addon) and decompression the pure-JavaScript fzstd,
 * which, unlike the wasm build's one-shot decoder, reads streamed frames without a content size
 * (what the Java client's ZstdOutputStream writes).
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import zstdWasm from '@bokuweb/zstd-wasm';
import { decompress as fzstdDecompress } from 'fzstd';

type Callback = (err: Error | null, out: Buffer) => void;
type ZstdZlib = {
  zstdCompress?: (buf: Buffer, cb: Callback) => void;
  zstdDecompress?: (buf: Buffer, cb: Callback) => void;
};
const z = zlib as unknown as ZstdZlib;

/** True when this Node's zlib has zstd (22.15+); otherwise the JavaScript/WebAssembly path runs. */
export const NATIVE_ZSTD = typeof z.zstdCompress === 'function' && typeof z.zstdDecompress === 'function';

/** zstd's own default level, as the Java and Go Kafka clients use. */
const LEVEL = 3;

let wasmReady: Promise<void> | undefined;

/** Compresses with the WebAssembly build of libzstd (loaded on first use). */
export async function wasmZstdCompress(data: Buffer): Promise<Buffer> {
  wasmReady ??= zstdWasm.init();
  await wasmReady;
  const out = zstdWasm.compress(data, LEVEL);
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

/** Decompresses one or more zstd frames with fzstd (pure JavaScript). */
export function jsZstdDecompress(data: Buffer): Buffer {
  const out = fzstdDecompress(data);
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

const nativeCompress = NATIVE_ZSTD ? promisify(z.zstdCompress!) : undefined;
const nativeDecompress = NATIVE_ZSTD ? promisify(z.zstdDecompress!) : undefined;

/** Compresses `data` to a zstd frame: Node's zlib where it has zstd, WebAssembly otherwise. */
export function zstdCompress(data: Buffer): Promise<Buffer> {
  return nativeCompress ? nativeCompress(data) : wasmZstdCompress(data);
}

/** Decompresses zstd frames: Node's zlib where it has zstd, fzstd otherwise. */
export async function zstdDecompress(data: Buffer): Promise<Buffer> {
  return nativeDecompress ? nativeDecompress(data) : jsZstdDecompress(data);
}
