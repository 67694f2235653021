/**
 * The stage logs one thread uses, and the entries that produce into them, each made once, when a
 * side of the service first asks for it. So a thread holds only the logs it touches: on the Kafka
 * queue the main thread those its receivers produce into, the forwarding thread every log (it
 * consumes them all) and produces only where a connector feeds one.
 */
import type { PipelineConfig } from '../config/index.js';
import type { PartitionKey } from '../pdata/index.js';
import type { Processor } from './component.js';
import { PipelineEntry } from './entry.js';
import type { LogMaker } from './graph.js';
import type { StageLog } from './stage-log.js';
import type { SelfMetrics } from './telemetry.js';

/** One pipeline's log and, once something produces into it, its entry. */
interface Stage {
  readonly log: StageLog;
  entry?: PipelineEntry;
  /** The processors the entry asks first; filled by whichever side builds them. */
  readonly admission: Processor[];
  admissionGiven: boolean;
}

/** The stage logs and entries of one thread. */
export class Stages {
  private readonly stages = new Map<string, Stage>();

  constructor(
    private readonly makeLog: LogMaker,
    private readonly metrics: SelfMetrics,
    /** The partition key of a pipeline's entry (pipelineKeyOf over the config). */
    private readonly keyOf: (p: PipelineConfig) => PartitionKey,
  ) {}

  /** The stage log of `p`, made on first use. */
  log(p: PipelineConfig): StageLog {
    return this.stage(p).log;
  }

  /**
   * Where receivers and connectors hand data to `p`. Producing into the log is what its capacity
   * limits, so the capacity is reported by the thread that does (see SelfMetrics.stageLogCapacity).
   */
  entry(p: PipelineConfig): PipelineEntry {
    const stage = this.stage(p);
    if (!stage.entry) {
      stage.entry = new PipelineEntry(stage.log, stage.admission, this.keyOf(p));
      this.metrics.stageLogCapacity.set({ log: stage.log.name }, stage.log.stats().capacityBytes);
    }
    return stage.entry;
  }

  /** Whether `p`'s admission processors were given yet (by the side that built its processors). */
  hasAdmission(p: PipelineConfig): boolean {
    return this.stage(p).admissionGiven;
  }

  /** Sets the processors `p`'s entry asks before appending (those with `admit`: memory_limiter). */
  setAdmission(p: PipelineConfig, processors: readonly Processor[]): void {
    const stage = this.stage(p);
    if (stage.admissionGiven) throw new Error(`bug: admission of pipeline ${p.id} given twice`);
    stage.admission.push(...processors.filter((proc) => typeof proc.admit === 'function'));
    stage.admissionGiven = true;
  }

  /** Every log made so far. */
  logs(): StageLog[] {
    return [...this.stages.values()].map((s) => s.log);
  }

  private stage(p: PipelineConfig): Stage {
    let stage = this.stages.get(p.id);
    if (!stage) {
      stage = { log: this.makeLog(`${p.id}.ingest`, p.signal), admission: [], admissionGiven: false };
      this.stages.set(p.id, stage);
    }
    return stage;
  }
}
