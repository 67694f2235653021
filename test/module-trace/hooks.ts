/**
 * Module hooks that append the URL of every module the process loads to the file named by
 * VIGIL_MODULE_TRACE (one line each), so a test can see what a command really imported.
 */
import { appendFileSync } from 'node:fs';

type Next = (url: string, context: unknown) => Promise<unknown>;

/** The `load` hook: records `url`, then loads it as usual. */
export async function load(url: string, context: unknown, next: Next): Promise<unknown> {
  const file = process.env.VIGIL_MODULE_TRACE;
  if (file) appendFileSync(file, `${url}\n`);
  return next(url, context);
}
