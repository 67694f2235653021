/** `vigil test rules FILE...`: Prometheus rule unit tests, with promtool's verdicts and report shape. */
import { runTestFile } from '../processors/alert-rules/unit-test/runner.js';

/** Runs the test files; resolves with 0 when all pass, 1 otherwise (as promtool does). */
export function testRules(files: readonly string[]): number {
  let failed = false;
  for (const file of files) {
    process.stdout.write(`Unit Testing:  ${file}\n`);
    const result = runTestFile(file);
    if (result.passed) {
      process.stdout.write('  SUCCESS\n\n');
      continue;
    }
    failed = true;
    process.stderr.write(`  FAILED:\n${result.errors.join('\n')}\n\n`);
  }
  return failed ? 1 : 0;
}
