/**
 * Where the stage logs live (`service.queue`): process memory or Kafka. The service asks the
 * backend for one log per pipeline stage, starts it before any log consumes, and closes it after
 * every log drained.
 */
import type { Signal } from '../pdata/payload.js';
import type { StageLog } from './stage-log.js';

/** Makes and hosts the stage logs of one service. */
export interface QueueBackend {
  /** A new log for one pipeline stage; called while the graph is built, before `start`. */
  makeLog(name: string, signal: Signal): StageLog;
  /** Connects and prepares every log made so far (creates topics). Rejecting aborts start-up. */
  start(): Promise<void>;
  /** Reasons the backend cannot take data now; empty when ready. */
  notReadyReasons(): string[];
  /** Releases connections; every log has drained by then. */
  close(): Promise<void>;
}
