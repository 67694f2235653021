/**
 * Young-generation collections paced by Buffer bytes, not only by the JavaScript heap.
 *
 * A request's bytes live in ArrayBuffers outside V8's heap: grpc-js' reads and the message it
 * assembles, `batch`'s merge, grpc-js' framed copy on the way out. They die within milliseconds, but
 * their memory goes back to malloc only when a scavenge finds their small JavaScript handles dead, and
 * V8 starts a scavenge when its 4 MiB semi-space fills, which the handles alone barely do. At 10,000
 * spans/s that was ~1.5 s apart, with ~20 MB of dead request bytes held in malloc's heap in between:
 * most of the daemon's peak RSS above idle.
 *
 * So each thread that moves payloads checks its ArrayBuffer total every 100 ms and runs a scavenge
 * once it grew by `budget` since the last collection, if that was at least 400 ms ago. A scavenge
 * with a nearly empty nursery costs well under a millisecond; bytes still referenced (a stage log,
 * held traces) survive it and raise the level the next growth is counted from, so held data never
 * causes a stream of useless collections. Measured (README "Performance", 2026-11-27 19:20): peak
 * RSS at 10,000 spans/s 123–129 → 103–110 MiB, no change in CPU; at 113,000 spans/s 0–1 of ~155
 * young collections forced.
 *
 * V8 gives JavaScript a collector handle only behind `--expose-gc`; set here at run time, so that
 * `node dist/cmd/vigil.js` behaves as the command does, and taken from a fresh context, so that the
 * thread's own globals stay as they were (contexts created afterwards, worker threads among them, do
 * get a `gc` global; nothing reads it).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The collector handle V8 installs in a context created under `--expose-gc`. */
type Collect = (options: { type: 'minor' | 'major' }) => void;

const CHECK_EVERY_MS = 100;
/** No forced scavenge sooner than this after any collection: at 10,000 spans/s V8's own are ~1.5 s apart. */
const MIN_GAP_MS = 400;
const DEFAULT_BUDGET_BYTES = 4 * 1024 * 1024;

/** What the pacing reads and does; the process's own in `startBufferScavenger`, fakes in tests. */
export interface ScavengerDeps {
  arrayBuffers(): number;
  scavenge(): void;
  now(): number;
}

/**
 * The pacing alone: `check` every CHECK_EVERY_MS, `collected` after every collection (V8's own or
 * ours). Under load V8 scavenges every few tens of milliseconds by itself, and a forced one on top
 * only moves more live request bytes to the old generation: growth counts from the last collection
 * of any kind, and none is forced within MIN_GAP_MS of one.
 */
export class BufferScavenger {
  private level: number;
  private lastCollection: number;
  private collectedMeanwhile = false;

  constructor(private readonly budgetBytes: number, private readonly deps: ScavengerDeps) {
    this.level = deps.arrayBuffers();
    this.lastCollection = deps.now();
  }

  collected(): void {
    this.collectedMeanwhile = true;
    this.lastCollection = this.deps.now();
  }

  check(): void {
    const now = this.deps.arrayBuffers();
    if (this.collectedMeanwhile) {
      this.level = now;
      this.collectedMeanwhile = false;
      return;
    }
    if (now - this.level < this.budgetBytes || this.deps.now() - this.lastCollection < MIN_GAP_MS) return;
    this.deps.scavenge();
    this.lastCollection = this.deps.now();
    this.level = this.deps.arrayBuffers();
  }
}

/**
 * Starts pacing this thread's scavenges by ArrayBuffer growth; the returned function stops it.
 * The timer never keeps the process alive.
 */
export function startBufferScavenger(budgetBytes = DEFAULT_BUDGET_BYTES): () => void {
  const scavenge = minorCollector();
  const pacing = new BufferScavenger(budgetBytes, { arrayBuffers: () => process.memoryUsage().arrayBuffers, scavenge, now: () => performance.now() });
  const observer = new PerformanceObserver(() => pacing.collected());
  observer.observe({ entryTypes: ['gc'] });
  const timer = setInterval(() => pacing.check(), CHECK_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    observer.disconnect();
  };
}

/** Runs a young-generation collection of this thread's heap when called. */
export function minorCollector(): () => void {
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as Collect;
  return () => collect({ type: 'minor' });
}
