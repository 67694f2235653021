/** Types for the pure-JavaScript compression packages that ship none (only what vigil calls). */
declare module 'snappyjs' {
  /** Raw snappy (no framing) of `data`. */
  export function compress(data: Uint8Array): Uint8Array;
  /** Decodes a raw snappy block; throws on invalid input or when it exceeds `maxLength`. */
  export function uncompress(data: Uint8Array, maxLength?: number): Uint8Array;
}

declare module 'lz4js' {
  /** Decodes the LZ4 block src[sIndex, sIndex+sLength) into dst from dIndex; returns the new end of dst. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
}

declare module 'lz4js/xxh32.js' {
  /** xxHash32 of src[index, index+length) with `seed`. */
  export function hash(seed: number, src: Uint8Array, index: number, length: number): number;
}
