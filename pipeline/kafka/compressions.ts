/**
 * The Kafka compression names vigil's clients accept, apart from the codecs (./codecs), so that a
 * config schema can name them without importing kafkajs and the codec libraries.
 */

/** The Kafka compression names vigil's clients accept (otelcol's set). */
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
/** One of KAFKA_COMPRESSIONS. */
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];
