#!/usr/bin/env -S node --max-semi-space-size=4 --initial-old-space-size=64
/**
 * The vigil command, shaped like otelcol's: `vigil --config FILE` runs (the default command),
 * `vigil validate --config FILE` checks, `vigil components` lists, `vigil --version` prints.
 * This is the only place that exits the process.
 *
 * The shebang gives V8 a 4 MiB young-generation semi-space instead of Node's 16 MiB: a telemetry
 * pipeline's garbage is short-lived request bytes, and a larger nursery only holds it longer.
 * Measured with `npm run bench`: RSS at 10 000 spans/s 146 → 110 MiB, no loss of throughput. The
 * request bytes themselves are outside that nursery; `buffer-scavenger.ts` paces collections by them.
 *
 * And a 64 MiB initial old-generation limit. The daemon's live heap is ~21 MB, so V8 sized the old
 * generation's limit at ~32 MB and started incremental marking again right after each Mark-Compact:
 * two full GCs a second at 10,000 spans/s, and as many under load. With the floor at 64 MiB
 * (2026-11-27, 3 alternating runs at 10,000 spans/s): CPU 13.9–17.2 → 7.7–8.8 % of a core, peak
 * RSS 122 → 130–136 MiB; gRPC saturation 98–154k → 171–205k spans/s (README.md, "Side by side").
 * Whoever starts `node dist/cmd/vigil.js` directly should pass both flags (`npm start` does).
 */
import { FACTORIES } from './components.js';
import { main } from './main.js';

main(process.argv.slice(2), { factories: FACTORIES, module: new URL('./components.js', import.meta.url).href }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`vigil: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
