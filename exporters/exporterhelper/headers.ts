/** `headers`: sent with every request by the network exporters. */
import { z } from 'zod';

export const headersSchema = z.record(z.string(), z.string()).default({});
