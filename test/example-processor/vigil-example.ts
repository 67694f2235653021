#!/usr/bin/env -S node --max-semi-space-size=4 --initial-old-space-size=64
/** The vigil command built with the example window_sum processor, for the suites that run it as a daemon. */
import { main } from '../../cmd/main.js';
import { FACTORIES } from './registry.js';

main(process.argv.slice(2), { factories: FACTORIES, module: new URL('./registry.js', import.meta.url).href }).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`vigil: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
