import { spawnSync } from 'node:child_process';
import t from 'tap';
import { BufferScavenger } from './buffer-scavenger.js';

const MODULE = new URL('./buffer-scavenger.js', import.meta.url).href;
const MIB = 1024 * 1024;

/** A thread's ArrayBuffer total and clock, by hand; a scavenge frees what `dead` says is garbage. */
function fakeThread() {
  const thread = { bytes: 0, dead: 0, ms: 0, scavenged: 0 };
  const pacing = new BufferScavenger(4 * MIB, {
    arrayBuffers: () => thread.bytes,
    now: () => thread.ms,
    scavenge: () => { thread.scavenged++; thread.bytes -= thread.dead; thread.dead = 0; },
  });
  /** `mib` more bytes of which `deadMib` are garbage, `ms` later, then a check. */
  const step = (mib: number, deadMib: number, ms = 100): void => {
    thread.bytes += mib * MIB;
    thread.dead += deadMib * MIB;
    thread.ms += ms;
    pacing.check();
  };
  return { thread, pacing, step };
}

t.test('a scavenge once the Buffers grew by the budget, and only then', async (t) => {
  const { thread, step } = fakeThread();
  step(3, 3);
  t.equal(thread.scavenged, 0, '3 MiB of 4: none');
  step(2, 2, 400);
  t.equal(thread.scavenged, 1, '5 MiB of garbage, 500 ms after the last collection: one');
  t.equal(thread.bytes, 0, 'and it freed them');
  step(3, 3);
  t.equal(thread.scavenged, 1, 'growth counts from the bytes left after it');
});

t.test('none within 400 ms of a collection, and V8\'s own collections count', async (t) => {
  const { thread, pacing, step } = fakeThread();
  step(1, 1, 1000);
  pacing.collected();
  step(10, 10);
  t.equal(thread.scavenged, 0, 'V8 collected meanwhile: counting restarts from now');
  step(5, 5);
  t.equal(thread.scavenged, 0, '5 MiB more, but V8 collected 100 ms ago');
  step(0, 0, 300);
  t.equal(thread.scavenged, 1, '400 ms after it: forced');
});

t.test('bytes still referenced cause one scavenge, not one per check', async (t) => {
  const { thread, step } = fakeThread();
  step(20, 0, 1000);
  t.equal(thread.scavenged, 1, '20 MiB in one step: one scavenge, which finds them alive');
  for (let i = 0; i < 20; i++) step(0, 0, 500);
  t.equal(thread.scavenged, 1, 'held for 10 s: none more');
});

t.test('the collector handle frees dropped Buffers in a real process', async (t) => {
  const script = `
    const { minorCollector } = await import(${JSON.stringify(MODULE)});
    const scavenge = minorCollector();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 128; i++) Buffer.allocUnsafeSlow(256 * 1024).fill(i);
    const dropped = process.memoryUsage().arrayBuffers;
    scavenge();
    // V8 sweeps the dead ArrayBuffers' memory on a helper thread after the scavenge: give it 2 s at most.
    for (let i = 0; i < 40 && process.memoryUsage().arrayBuffers - before >= 2 * ${MIB}; i++) await new Promise((r) => setTimeout(r, 50));
    process.stdout.write(JSON.stringify({ before, dropped, after: process.memoryUsage().arrayBuffers, global: typeof globalThis.gc }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as { before: number; dropped: number; after: number; global: string };
  t.ok(m.dropped - m.before >= 24 * MIB, `32 MiB allocated and dropped (${((m.dropped - m.before) / MIB).toFixed(1)} MiB counted before the scavenge)`);
  t.ok(m.after - m.before < 2 * MIB, `freed by one young collection (${((m.after - m.before) / MIB).toFixed(1)} MiB left)`);
  t.equal(m.global, 'undefined', 'the thread\'s globals stay as they were');
});
