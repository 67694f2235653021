/** Config of the events connector: it takes no settings. */
import { z } from 'zod';

/** The empty schema: any key is an error. */
export const configSchema = z.strictObject({});
/** The (empty) parsed config. */
export type Config = z.infer<typeof configSchema>;
