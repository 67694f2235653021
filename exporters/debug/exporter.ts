/** The debug exporter: describes every payload in vigil's own log, sampled like otelcol's. */
import type { Logger } from 'pino';
import type { CreateSettings, Exporter } from '../../pipeline/component.js';
import { toJson } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import type { Config } from './config.js';
import { EXPORTER_NAME, basicFields, normalLines } from './summary.js';

/** Per-second sampling as zap's sampler does it: the first N, then every Mth. */
class Sampler {
  private second = -1;
  private seen = 0;

  constructor(private readonly initial: number, private readonly thereafter: number) {}

  admit(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.second) { this.second = second; this.seen = 0; }
    this.seen++;
    return this.seen <= this.initial || (this.seen - this.initial) % this.thereafter === 0;
  }
}

/** Logs each payload at the configured verbosity; never fails the pipeline. */
export class DebugExporter implements Exporter {
  private readonly logger: Logger;
  private readonly sampler: Sampler;

  constructor(settings: CreateSettings, private readonly config: Config, private readonly now: () => number = Date.now) {
    this.logger = settings.logger;
    this.sampler = new Sampler(config.sampling_initial, config.sampling_thereafter);
  }

  async start(): Promise<void> {}

  async consume(payload: Payload): Promise<void> {
    if (!this.sampler.admit(this.now())) return;
    const name = EXPORTER_NAME[payload.signal];
    this.logger.info(basicFields(payload), name);
    if (this.config.verbosity === 'normal') {
      for (const line of normalLines(payload)) this.logger.info(line.fields, line.msg);
    } else if (this.config.verbosity === 'detailed') {
      // Parsing the line again lets pino nest it as JSON instead of an escaped string.
      this.logger.info({ [payload.signal]: JSON.parse(toJson(payload)) as unknown }, `${name} detailed`);
    }
  }

  async shutdown(): Promise<void> {}
}
