/** Cutting a request into pieces that each fit one Kafka record. */
import { PermanentError } from '../errors.js';
import { splitPayload, type Payload } from '../../pdata/index.js';

/**
 * Pieces of `payload` of at most `maxBytes` each, cut at item granularity (halving until each
 * fits). A single item larger than `maxBytes` can never be produced: PermanentError.
 */
export function splitToFit(payload: Payload, maxBytes: number): Payload[] {
  if (payload.bytes.byteLength <= maxBytes) return [payload];
  if (payload.itemCount <= 1) {
    throw new PermanentError(`one ${payload.signal} item of ${payload.bytes.byteLength} bytes exceeds max_message_bytes (${maxBytes})`);
  }
  return splitPayload(payload, Math.ceil(payload.itemCount / 2)).flatMap((piece) => splitToFit(piece, maxBytes));
}
