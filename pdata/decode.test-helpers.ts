/** Assertion helpers shared by the codec's tests. */
import type { Test } from 'tap';
import { InvalidInputError } from '../pipeline/errors.js';

/** Asserts fn throws an InvalidInputError (never a RangeError) whose message matches. */
export function invalid(t: Test, fn: () => unknown, pattern: RegExp = /./, name = pattern.source): string {
  try {
    fn();
  } catch (err) {
    t.ok(err instanceof InvalidInputError, `${name}: InvalidInputError, got ${String(err)}`);
    t.match((err as Error).message, pattern, name);
    return (err as Error).message;
  }
  t.fail(`${name}: did not throw`);
  return '';
}

