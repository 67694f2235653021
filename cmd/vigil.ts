#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The vigil command, shaped like otelcol's: `vigil --config FILE` runs (the default command),
 * `vigil validate --config FILE` checks, `vigil components` lists, `vigil --version` prints.
 * This is the only place that exits the process.
 *
 * The shebang gives V8 a 4 MiB young-generation semi-space instead of Node's 16 MiB: a telemetry
 * pipeline's garbage is short-lived request bytes, and a larger nursery only holds it longer.
 * Measured with `npm run bench`: RSS at 10 000 spans/s 146 → 110 MiB, no loss of throughput.
 * Whoever starts `node dist/cmd/vigil.js` directly should pass the flag too (`npm start` does).
 */
import { parseArgs } from 'node:util';
import { FACTORIES } from './components.js';
import { listComponents } from './list-components.js';
import { run } from './run.js';
import { validate } from './validate.js';
import { VERSION } from './version.js';

const USAGE = `usage: vigil [run] --config FILE [--config FILE]... [--set key.path=value]...
       vigil validate --config FILE [--config FILE]... [--set key.path=value]...
       vigil components
       vigil --version`;

async function main(argv: string[]): Promise<number> {
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
  if (command === 'components') return listComponents(FACTORIES);
  const files = values.config ?? [];
  if (command !== 'run' && command !== 'validate') {
    process.stderr.write(`vigil: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`vigil: at least one --config is required\n${USAGE}\n`);
    return 2;
  }
  const options = { files, sets: values.set ?? [], factories: FACTORIES };
  return command === 'validate' ? validate(options) : run(options);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`vigil: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
