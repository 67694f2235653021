/**
 * Attributes as bytes and back, exactly (bigints, byte arrays, nested lists and maps kept): a
 * repeated KeyValue in field 1, the OTLP encoding. For state that must reload the very attributes
 * it saved; JSON would turn bigints and bytes into something else.
 */
import { readKeyValues, type Attributes } from './any-value.js';
import { writeAttributes, type AttributesInput } from './build-common.js';
import { Writer } from './wire.js';

/** The attributes encoded as KeyValue messages in field 1. */
export function attributesToBytes(attrs: AttributesInput): Uint8Array {
  const w = new Writer(256);
  writeAttributes(w, 1, attrs);
  return w.buf.subarray(0, w.pos);
}

/** The attributes `attributesToBytes` encoded. */
export function attributesFromBytes(bytes: Uint8Array): Attributes {
  return readKeyValues(bytes, 0, bytes.length, 1);
}
