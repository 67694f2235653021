/** Config of the health_check extension; otelcol's healthcheckextension keys. */
import { z } from 'zod';
import { endpoint } from '../../config/types.js';

export const DEFAULT_ENDPOINT = 'localhost:13133';
export const DEFAULT_PATH = '/';

export const configSchema = z.strictObject({
  endpoint: endpoint().default(DEFAULT_ENDPOINT),
  path: z.string().startsWith('/', { error: 'must start with "/"' }).default(DEFAULT_PATH),
  /** otelcol's deprecated pipeline check; accepted so old configs load, ignored. */
  check_collector_pipeline: z.unknown().optional(),
});

/** The parsed health_check config. */
export type Config = z.infer<typeof configSchema>;
