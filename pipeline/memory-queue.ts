/** `service.queue.type: memory`: every stage log a bounded partitioned queue in this process. */
import type { Logger } from 'pino';
import { MemoryLog, type MemoryLogConfig } from './memory-log.js';
import type { QueueBackend } from './queue-backend.js';
import type { StageLog } from './stage-log.js';
import type { SelfMetrics } from './telemetry.js';

/** The embedded default: nothing to connect, always ready. */
export class MemoryQueue implements QueueBackend {
  constructor(
    private readonly config: MemoryLogConfig,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
  ) {}

  makeLog(name: string): StageLog {
    return new MemoryLog(name, this.config, this.metrics, this.logger.child({ name }));
  }

  async start(): Promise<void> {}

  notReadyReasons(): string[] {
    return [];
  }

  async close(): Promise<void> {}
}
