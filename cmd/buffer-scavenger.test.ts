import { spawnSync } from 'node:child_process';
import t from 'tap';

const MODULE = new URL('./buffer-scavenger.js', import.meta.url).href;
const MIB = 1024 * 1024;

interface Outcome {
  scavenges: number;
  /** ArrayBuffer bytes after 32 MiB of 256 KiB request-sized buffers were allocated and dropped. */
  afterGarbage: number;
  /** Scavenges run while 32 MiB stayed referenced and nothing else happened, for 600 ms. */
  whileHolding: number;
}

/**
 * In a fresh process (its own heap, V8's default 16 MiB semi-space, which these few handles never
 * fill): 32 MiB of buffers dropped as soon as made, 4 MiB every 50 ms, with or without the scavenger.
 */
function run(scavenger: boolean): Outcome {
  const script = `
    const { startBufferScavenger } = await import(${JSON.stringify(MODULE)});
    const stats = { scavenges: 0 };
    const stop = ${scavenger} ? startBufferScavenger(4 * ${MIB}, stats) : () => {};
    const tick = () => new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 16; j++) Buffer.allocUnsafeSlow(256 * 1024).fill(j);
      await tick();
    }
    await tick(); await tick(); await tick();
    const afterGarbage = process.memoryUsage().arrayBuffers;
    const held = [];
    for (let i = 0; i < 128; i++) held.push(Buffer.allocUnsafeSlow(256 * 1024).fill(i));
    await tick(); await tick(); await tick();
    const before = stats.scavenges;
    for (let i = 0; i < 12; i++) await tick();
    stop();
    process.stdout.write(JSON.stringify({ scavenges: before, afterGarbage, whileHolding: stats.scavenges - before, held: held.length }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Outcome;
}

t.test('dead request bytes are freed within the budget, not when the JavaScript heap happens to fill', async (t) => {
  const without = run(false);
  t.ok(without.afterGarbage >= 24 * MIB, `without it the dropped buffers are still allocated (${(without.afterGarbage / MIB).toFixed(1)} MiB): the test can fail`);
  const withIt = run(true);
  t.ok(withIt.scavenges >= 2, `scavenges ran (${withIt.scavenges})`);
  t.ok(withIt.afterGarbage < 12 * MIB, `at most about a budget's worth left (${(withIt.afterGarbage / MIB).toFixed(1)} MiB)`);
  t.equal(withIt.whileHolding, 0, 'bytes still referenced cause no further scavenges once counted');
});
