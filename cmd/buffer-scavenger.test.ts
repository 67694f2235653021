import { spawnSync } from 'node:child_process';
import t from 'tap';

const MODULE = new URL('./buffer-scavenger.js', import.meta.url).href;
const MIB = 1024 * 1024;

interface Outcome {
  scavenges: number;
  /** ArrayBuffer bytes after 32 MiB of 256 KiB request-sized buffers were allocated and dropped. */
  afterGarbage: number;
  /** Scavenges run while 32 MiB stayed referenced and nothing else happened, for 1 s. */
  whileHolding: number;
}

/**
 * In a fresh process (its own heap, V8's default 16 MiB semi-space, which these few handles never
 * fill): 32 MiB of buffers dropped as soon as made, 4 MiB every 200 ms, with or without the scavenger.
 */
function run(scavenger: boolean): Outcome {
  const script = `
    const { startBufferScavenger } = await import(${JSON.stringify(MODULE)});
    const stats = { scavenges: 0 };
    const stop = ${scavenger} ? startBufferScavenger(4 * ${MIB}, stats) : () => {};
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 16; j++) Buffer.allocUnsafeSlow(256 * 1024).fill(j);
      await wait(200);
    }
    await wait(600);
    const afterGarbage = process.memoryUsage().arrayBuffers;
    const held = [];
    for (let i = 0; i < 128; i++) held.push(Buffer.allocUnsafeSlow(256 * 1024).fill(i));
    // One scavenge may run now: it finds these referenced, and counting starts from them.
    await wait(1000);
    const before = stats.scavenges;
    await wait(1000);
    stop();
    process.stdout.write(JSON.stringify({ scavenges: before, afterGarbage, whileHolding: stats.scavenges - before, held: held.length }));`;
  // V8's memory reducer collects an idle process on its own after a while: off, so that only the
  // scavenger under test collects.
  const r = spawnSync(process.execPath, ['--no-memory-reducer', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Outcome;
}

t.test('dead request bytes are freed within the budget, not when the JavaScript heap happens to fill', async (t) => {
  const without = run(false);
  t.ok(without.afterGarbage >= 16 * MIB, `without it the dropped buffers are still allocated (${(without.afterGarbage / MIB).toFixed(1)} MiB): the test can fail`);
  const withIt = run(true);
  t.ok(withIt.scavenges >= 2, `scavenges ran (${withIt.scavenges})`);
  t.ok(withIt.afterGarbage <= 8 * MIB, `at most about a budget's worth left (${(withIt.afterGarbage / MIB).toFixed(1)} MiB)`);
  t.equal(withIt.whileHolding, 0, 'bytes still referenced cause no further scavenges once counted');
});
