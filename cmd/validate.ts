/** `vigil validate`: the same loading and checking as `run`, without starting anything. */
import { loadConfig } from '../config/index.js';
import type { Factory } from '../pipeline/component.js';

/** What both run and validate take from the command line. */
export interface ConfigOptions {
  readonly files: readonly string[];
  readonly sets: readonly string[];
  readonly factories: readonly Factory[];
}

/** Loads the config; prints warnings and errors to stderr. Returns the config or undefined. */
export function loadAndReport(options: ConfigOptions): ReturnType<typeof loadConfig>['config'] {
  const result = loadConfig({ ...options, env: process.env });
  for (const w of result.warnings) process.stderr.write(`warning: ${String(w)}\n`);
  for (const e of result.errors) process.stderr.write(`error: ${String(e)}\n`);
  if (result.errors.length > 0) {
    process.stderr.write(`vigil: invalid configuration: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}\n`);
    return undefined;
  }
  return result.config;
}

/** Exit code 0 when the config is valid, 1 otherwise. */
export function validate(options: ConfigOptions): number {
  const config = loadAndReport(options);
  if (!config) return 1;
  process.stdout.write(`${options.files.join(', ')}: configuration is valid\n`);
  return 0;
}
