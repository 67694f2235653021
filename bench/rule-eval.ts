/**
 * `rule-eval` (issue 12): 100 alerting and recording rules over 100,000 series, fed as OTLP
 * metrics requests through the `alert_rules` processor on this one thread, the way its stage log
 * feeds it (one partition, one record per request). Every service exports once per interval (15 s
 * of event time, half an interval after each boundary); the first request of a scrape moves the
 * watermark past the boundary, and that `consume` runs one evaluation round of every rule (and the
 * checkpoint after it). The rounds measured are those with the full 5 minutes of history that the
 * rules' widest ranges read. Reported: the round's wall and CPU time, the ingest rate of data
 * points into the rule storage, heap and RSS.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { factory } from '../processors/alert-rules/factory.js';
import { configSchema } from '../processors/alert-rules/config.js';
import { translatePoint } from '../processors/alert-rules/stream/otlp-names.js';
import type { Delivery } from '../pipeline/delivery.js';
import { forEachDataPoint, forEachLogRecord, type Payload } from '../pdata/index.js';
import { NoopHost, testSettings } from '../test/doubles.js';
import { POINTS_PER_SERVICE, ruleGroups, scrapeRequest } from './rule-workload.js';

/** What a rule-eval run is asked for. */
export interface RuleEvalOptions {
  /** Services of 2,000 series each: 50 gives 100,000. */
  readonly services: number;
  /** Scrapes before the first measured round: 21 at 15 s fill the rules' widest range (5m). */
  readonly historyScrapes: number;
  /** Rounds measured after that. */
  readonly rounds: number;
  readonly intervalS: number;
  readonly log: (line: string) => void;
}

/** The default run: issue 12's 100 rules over 100,000 series at a 15 s interval. */
export const RULE_EVAL_DEFAULTS = { services: 50, historyScrapes: 21, rounds: 3, intervalS: 15 } as const;

/** One evaluation round: the consume that crossed the boundary. */
export interface RoundTiming {
  /** Event time of the round, seconds after the first scrape. */
  readonly atS: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Whether the rules' widest range had its full history (these are the rounds reported). */
  readonly measured: boolean;
}

/** The result of a rule-eval run. */
export interface RuleEvalResult {
  readonly services: number;
  /** Series the fleet's requests translate to (before the recording rules add theirs). */
  readonly series: number;
  readonly rules: number;
  readonly recordingRules: number;
  readonly intervalS: number;
  readonly scrapes: number;
  readonly rounds: RoundTiming[];
  /** Median and slowest of the measured rounds, ms of wall time and of CPU. */
  readonly roundMedianMs: number;
  readonly roundMaxMs: number;
  readonly roundCpuMedianMs: number;
  /** Ingest alone (every consume that ran no round): data points and samples per second of wall time, and CPU. */
  readonly ingestPoints: number;
  readonly ingestSamples: number;
  readonly ingestWallS: number;
  readonly ingestCpuS: number;
  readonly pointsPerSec: number;
  readonly samplesPerSec: number;
  /** Wall time to ingest one interval's requests at that rate. */
  readonly ingestPerIntervalMs: number;
  /** Firing alert records the processor emitted over the run. */
  readonly firingAlerts: number;
  /** Heap in use after the last round (garbage not yet collected included), and after a full GC then: what the rule storage and state hold. */
  readonly heapUsedBytes: number;
  readonly liveHeapBytes: number;
  readonly peakRssBytes: number;
}

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Heap in use after a full garbage collection (the bench asks V8 for its gc function; nothing else here uses it). */
function liveHeapBytes(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/** The Prometheus series one request of `payload` translates to. */
function seriesOf(payload: Payload): number {
  let n = 0;
  forEachDataPoint(payload, (p) => { n += translatePoint(p).length; });
  return n;
}

/** Runs the scenario in this process; see the file comment. */
export async function ruleEval(o: RuleEvalOptions): Promise<RuleEvalResult> {
  const groups = ruleGroups(o.intervalS);
  const config = configSchema.parse({ groups, idle_timeout: '1h', evaluation_interval: `${o.intervalS}s` });
  let firingAlerts = 0;
  const sink = {
    consume: async (p: Payload): Promise<void> => {
      if (p.signal === 'logs') forEachLogRecord(p, (r) => { if (r.attributes.state === 'firing') firingAlerts++; });
    },
  };
  await factory.load?.(); // the implementation is imported lazily (pipeline/README.md, "Loading")
  const proc = factory.create({ ...testSettings('alert_rules'), pipeline: 'metrics' }, config, 'metrics', sink);
  await proc.start(new NoopHost());
  const intervalMs = o.intervalS * 1000;
  const scrapes = o.historyScrapes + o.rounds;
  const rounds: RoundTiming[] = [];
  let offset = 0n;
  let ingest = { points: 0, samples: 0, wallMs: 0, cpuMs: 0 };
  let series = 0;
  let mem: NodeJS.MemoryUsage;
  let liveHeap: number;
  try {
    for (let k = 0; k < scrapes; k++) {
      const t = T0 + k * intervalMs + intervalMs / 2;
      // Built before the clock starts: the generator's work is not the processor's.
      const requests = Array.from({ length: o.services }, (_, s) => scrapeRequest(s, k + 1, t, T0));
      if (k === 0) series = requests.reduce((a, r) => a + seriesOf(r), 0);
      const samplesPerRequest = series / o.services;
      for (const [s, payload] of requests.entries()) {
        const delivery: Delivery = { log: 'metrics.ingest', partition: 0, offset: offset++, durable: false, hold: () => ({ release: () => {} }) };
        const cpu0 = cpuMs();
        const wall0 = performance.now();
        await proc.consume(payload, delivery);
        const wallMs = performance.now() - wall0;
        const cpu = cpuMs() - cpu0;
        if (s === 0 && k > 0) {
          // This request crossed the boundary at T0 + k·interval: one round (plus this request's ingest, ~2 % of a scrape).
          rounds.push({ atS: k * o.intervalS, wallMs, cpuMs: cpu, measured: k >= o.historyScrapes });
          o.log(`rule-eval: round at +${k * o.intervalS}s: ${Math.round(wallMs)} ms (CPU ${Math.round(cpu)} ms)`);
        } else {
          ingest = { points: ingest.points + payload.itemCount, samples: ingest.samples + samplesPerRequest, wallMs: ingest.wallMs + wallMs, cpuMs: ingest.cpuMs + cpu };
        }
      }
    }
    mem = process.memoryUsage(); // with the store still live
    liveHeap = liveHeapBytes();
  } finally {
    await proc.shutdown(Date.now() + 10_000);
  }
  const measured = rounds.filter((r) => r.measured);
  const pointsPerSec = ingest.points / (ingest.wallMs / 1000);
  return {
    services: o.services, series, rules: groups.reduce((a, g) => a + g.rules.length, 0),
    recordingRules: groups.reduce((a, g) => a + g.rules.filter((r) => r.record !== undefined).length, 0),
    intervalS: o.intervalS, scrapes, rounds,
    roundMedianMs: median(measured.map((r) => r.wallMs)), roundMaxMs: Math.max(...measured.map((r) => r.wallMs)),
    roundCpuMedianMs: median(measured.map((r) => r.cpuMs)),
    ingestPoints: ingest.points, ingestSamples: ingest.samples, ingestWallS: ingest.wallMs / 1000, ingestCpuS: ingest.cpuMs / 1000,
    pointsPerSec, samplesPerSec: ingest.samples / (ingest.wallMs / 1000),
    ingestPerIntervalMs: (o.services * POINTS_PER_SERVICE) / pointsPerSec * 1000,
    firingAlerts, heapUsedBytes: mem.heapUsed, liveHeapBytes: liveHeap, peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
