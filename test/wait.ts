/** Bounded polling for tests: every wait has a deadline and says what it waited for. */

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false; rejects after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err; // keep polling: the condition may not be checkable yet
    }
    if (Date.now() >= until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * `waitFor` for tests that report the outcome in their own words: resolves true once `check` holds,
 * false when `timeoutMs` passed first.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  return waitFor('a condition', check, timeoutMs, intervalMs).then(() => true, () => false);
}
