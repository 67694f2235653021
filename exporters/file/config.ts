/** Config of the file exporter: otelcol's fileexporter keys and defaults. */
import { z } from 'zod';
import { duration, integer } from '../../config/types.js';

/** otelcol's defaults. */
export const DEFAULT_FORMAT = 'json';
export const DEFAULT_MAX_MEGABYTES = 100;
export const DEFAULT_MAX_BACKUPS = 100;
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;


const rotation = z.strictObject({
  max_megabytes: integer(1).default(DEFAULT_MAX_MEGABYTES),
  /** Backups older than this many days (by the timestamp in their name) are deleted; unset keeps them. */
  max_days: integer(0).optional(),
  /** 0 keeps every backup, as lumberjack does. */
  max_backups: integer(0).default(DEFAULT_MAX_BACKUPS),
  localtime: z.boolean().default(false),
});

/** The config schema: unknown keys rejected, defaults filled in. */
export const configSchema = z.strictObject({
  path: z.string({ error: 'expected the path of the file to write' }).min(1, { error: 'must not be empty' }),
  format: z.enum(['json', 'proto'], { error: 'expected "json" or "proto"' }).default(DEFAULT_FORMAT),
  append: z.boolean().default(false),
  /** Left out: one file that grows without bound (otelcol's behaviour). */
  rotation: z.preprocess((v) => (v === null ? {} : v), rotation).optional(),
  flush_interval: duration().default(DEFAULT_FLUSH_INTERVAL_MS)
    .refine((ms) => ms > 0, { error: 'must be more than 0' }),
  /** zstd on any Node: zlib's on 22.15+, WebAssembly before (pipeline/kafka/zstd-codec.ts). */
  compression: z.enum(['', 'none', 'zstd'], { error: 'expected "zstd" or nothing' }).default(''),
}).refine((c) => !(c.append && c.compression === 'zstd'), { error: 'append and compression cannot be used together', path: ['append'] });

/** The parsed file exporter config. */
export type Config = z.infer<typeof configSchema>;
/** The parsed `rotation` block. */
export type RotationConfig = z.infer<typeof rotation>;
