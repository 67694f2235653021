/**
 * `vigil validate`: the same checks as `run` before it starts anything: load and check the config,
 * then build every component (without starting it), so that a config that validates is one whose
 * components can all be built.
 */
import { ConfigError, loadConfig, type LoadResult } from '../config/index.js';
import type { Factory } from '../pipeline/component.js';
import { dryBuild } from '../pipeline/dry-build.js';

/** What both run and validate take from the command line. */
export interface ConfigOptions {
  readonly files: readonly string[];
  readonly sets: readonly string[];
  readonly factories: readonly Factory[];
  /** URL of the module exporting `factories` as FACTORIES (cmd/registry), for the forwarding thread. */
  readonly registry?: string;
}

/**
 * Loads the config and, when it is valid, builds its graph without starting it; a factory that
 * refuses its config becomes a config error at the component's key. `config` is set only when
 * there is no error.
 */
export async function checkConfig(options: ConfigOptions & { readonly env?: Readonly<Record<string, string | undefined>> }): Promise<LoadResult> {
  const result = loadConfig({ ...options, env: options.env ?? process.env });
  if (!result.config) return result;
  const failures = await dryBuild(result.config);
  if (failures.length === 0) return result;
  const errors = failures.map(({ section, component, message }) =>
    new ConfigError(component.keyPos ?? { file: options.files[0] ?? '', line: 0, column: 0 }, [section, component.id.id], message));
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { errors, warnings: result.warnings };
}

/** Loads and checks the config; prints warnings and errors to stderr. Returns the config or undefined. */
export async function loadAndReport(options: ConfigOptions): Promise<LoadResult['config']> {
  const result = await checkConfig(options);
  for (const w of result.warnings) process.stderr.write(`warning: ${String(w)}\n`);
  for (const e of result.errors) process.stderr.write(`error: ${String(e)}\n`);
  if (result.errors.length > 0) {
    process.stderr.write(`vigil: invalid configuration: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}\n`);
    return undefined;
  }
  return result.config;
}

/** Exit code 0 when the config is valid, 1 otherwise. */
export async function validate(options: ConfigOptions): Promise<number> {
  const config = await loadAndReport(options);
  if (!config) return 1;
  process.stdout.write(`${options.files.join(', ')}: configuration is valid\n`);
  return 0;
}
