/** OTLP/JSON in and out: `fromJson` parses into the same protobuf bytes a protobuf request carries, `toJson` writes. */
import { decodeProtobuf, type DecodeResult } from './decode.js';
import { jsonToProtobuf } from './json-parse.js';
import type { Signal } from './payload.js';
import { REQUEST } from './schema.js';

export { toJson, toJsonBytes } from './json-write.js';

/**
 * Parses an OTLP/JSON export request into a validated protobuf payload, with the same checks and
 * partial-success rules as `decodeProtobuf`. Throws InvalidInputError for malformed input.
 */
export function fromJson(signal: Signal, body: Uint8Array | string): DecodeResult {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return decodeProtobuf(signal, jsonToProtobuf(REQUEST[signal], bytes));
}
