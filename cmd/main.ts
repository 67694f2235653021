/** The vigil command line, for any registry of components (cmd/vigil.ts runs it with vigil's own). */
import { parseArgs } from 'node:util';
import type { Registry } from './registry.js';
import { listComponents } from './list-components.js';
import { run } from './run.js';
import { validate } from './validate.js';
import { VERSION } from './version.js';

const USAGE = `usage: vigil [run] --config FILE [--config FILE]... [--set key.path=value]...
       vigil validate --config FILE [--config FILE]... [--set key.path=value]...
       vigil test rules FILE...                  run Prometheus rule unit tests (as promtool test rules)
       vigil components
       vigil --version`;

/** Runs the vigil command line with the components of `registry`; resolves with the exit code. */
export async function main(argv: string[], registry: Registry): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c', multiple: true },
      set: { type: 'string', multiple: true },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'run';
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version || command === 'version') {
    process.stdout.write(`vigil version ${VERSION}\n`);
    return 0;
  }
  if (command === 'components') return listComponents(registry.factories);
  if (command === 'test') {
    const files = positionals.slice(2);
    if (positionals[1] !== 'rules' || files.length === 0) {
      process.stderr.write(`vigil: usage: vigil test rules FILE...\n`);
      return 2;
    }
    // Imported here: the PromQL engine behind it is not for a daemon that runs no alert_rules.
    const { testRules } = await import('./test-rules.js');
    return testRules(files);
  }
  const files = values.config ?? [];
  if (command !== 'run' && command !== 'validate') {
    process.stderr.write(`vigil: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`vigil: at least one --config is required\n${USAGE}\n`);
    return 2;
  }
  const options = { files, sets: values.set ?? [], factories: registry.factories, registry: registry.module };
  return command === 'validate' ? validate(options) : run(options);
}

