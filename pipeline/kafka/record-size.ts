/**
 * What a record weighs in its record batch. The broker refuses a produce request whole
 * (MESSAGE_TOO_LARGE) when one partition's batch in it exceeds the topic's `max.message.bytes`, so
 * whoever groups records into requests (the stage log's batcher, the kafka exporter) counts this.
 */

/**
 * The most a record adds besides its key and value: length, attributes, timestamp and offset
 * deltas, key and value lengths, header count (varints). The batch header (61 bytes) fits in the
 * slack topics have above max_message_bytes (1 KiB on stage topics, 48 KiB on a default broker).
 */
const RECORD_OVERHEAD_BYTES = 32;

/** Bytes a record with a value and key of these sizes adds to its batch, at most. */
export function recordBytes(valueBytes: number, keyBytes: number): number {
  return valueBytes + keyBytes + RECORD_OVERHEAD_BYTES;
}
