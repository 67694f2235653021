/**
 * The memory_limiter: measures RSS every check_interval and, above the soft limit, refuses new data
 * at the receiver (`admit` throws an UnavailableError, which the receiver answers with a retryable
 * status) — before the data is accepted into the stage log. Data already accepted flows on: the
 * stage log bounds it, and dropping it would lose acknowledged data. Above the hard limit it also
 * forces a garbage collection when node runs with --expose-gc.
 */
import type { Consumer, CreateSettings, Processor } from '../../pipeline/component.js';
import { MemoryLimitError } from '../../pipeline/errors.js';
import type { Payload, Signal } from '../../pdata/payload.js';
import { createProcessor, processorLabels, type ProcessorLabels } from '../processorhelper/index.js';
import { limitsOf, type Config, type Limits } from './config.js';
import { availableMemoryBytes, processRss, type RssReader } from './memory.js';

/** Test seams; not part of the factory's API. */
export interface Internals {
  readRss?: RssReader;
  totalBytes?: number;
  gc?: () => void;
}

const MIB = 1024 * 1024;
const mib = (bytes: number): number => Math.round(bytes / MIB);

/** Refusal state driven by periodic RSS checks. */
export class MemoryLimiter {
  readonly limits: Limits;
  private refusing = false;
  private hardEpisode = false;
  private lastGc = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly readRss: RssReader;
  private readonly gc: (() => void) | undefined;
  private readonly intervalMs: number;
  private readonly labels: ProcessorLabels;

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: Config,
    signal: Signal,
    internals: Internals = {},
  ) {
    this.limits = limitsOf(config, internals.totalBytes ?? availableMemoryBytes());
    this.readRss = internals.readRss ?? processRss;
    this.gc = internals.gc ?? (globalThis as { gc?: () => void }).gc;
    this.intervalMs = config.check_interval ?? 1000;
    this.labels = processorLabels(settings, signal);
  }

  /** Whether admit() refuses now. */
  get isRefusing(): boolean {
    return this.refusing;
  }

  start(): void {
    if (this.timer) return;
    this.settings.logger.info({ hard_limit_mib: mib(this.limits.hardBytes), soft_limit_mib: mib(this.limits.softBytes) }, 'memory limiter started');
    this.check();
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Throws a retryable MemoryLimitError (an UnavailableError) while memory is above the soft limit. */
  admit(payload: Payload): void {
    if (!this.refusing) return;
    this.settings.metrics.processorRefused.inc(this.labels, payload.itemCount);
    throw new MemoryLimitError(
      `data refused: memory usage is above the soft limit of ${mib(this.limits.softBytes)} MiB`,
      this.intervalMs,
    );
  }

  /** Measures RSS and updates the refusal state, logging only when it changes. */
  check(): void {
    const { hardBytes, softBytes } = this.limits;
    let rss = this.readRss();
    if (rss >= softBytes && this.gc) {
      const minGap = rss >= hardBytes ? this.config.min_gc_interval_when_hard_limited : this.config.min_gc_interval_when_soft_limited;
      const now = Date.now();
      if (now - this.lastGc >= minGap) {
        this.lastGc = now;
        this.gc();
        rss = this.readRss();
      }
    }
    const log = this.settings.logger;
    if (rss >= hardBytes && !this.hardEpisode) {
      log.warn({ rss_mib: mib(rss), hard_limit_mib: mib(hardBytes), gc_exposed: this.gc !== undefined }, 'memory usage above the hard limit');
    }
    this.hardEpisode = rss >= hardBytes;
    const refusing = rss >= softBytes;
    if (refusing !== this.refusing) {
      if (refusing) log.warn({ rss_mib: mib(rss), soft_limit_mib: mib(softBytes) }, 'memory usage above the soft limit: refusing data');
      else log.info({ rss_mib: mib(rss), soft_limit_mib: mib(softBytes) }, 'memory usage below the soft limit: accepting data again');
      this.refusing = refusing;
    }
  }
}

/** Builds the memory_limiter processor: a pass-through consumer with an `admit` check. */
export function createMemoryLimiter(
  settings: CreateSettings,
  config: Config,
  signal: Signal,
  next: Consumer,
  internals?: Internals,
): Processor & { readonly limiter: MemoryLimiter } {
  // A component listed with no body gets createDefaultConfig() unvalidated; with no limit it would refuse everything.
  if (!(config.check_interval! > 0) || (config.limit_mib <= 0 && config.limit_percentage <= 0)) {
    throw new Error(`${settings.id.id}: check_interval and one of limit_mib or limit_percentage must be set`);
  }
  const limiter = new MemoryLimiter(settings, config, signal, internals);
  const processor = createProcessor({
    settings,
    signal,
    next,
    process: (payload) => payload,
    admit: (payload) => limiter.admit(payload),
    start: async () => limiter.start(),
    shutdown: async () => limiter.stop(),
  });
  return Object.assign(processor, { limiter });
}
