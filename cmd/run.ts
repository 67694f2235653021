/**
 * `vigil run`: load, build, start; drain and stop on SIGTERM/SIGINT. The forwarding side may run on
 * a worker thread (pipeline/forward-thread): always on the Kafka queue, on the memory queue per
 * `forward_thread`. If that thread dies, the daemon stops with exit code 1 so that its supervisor
 * restarts it.
 */
import { availableParallelism } from 'node:os';
import { pino, type Logger } from 'pino';
import type { ServiceConfig } from '../config/index.js';
import { messageOf } from '../pipeline/errors.js';
import { ForwardThread } from '../pipeline/forward-thread/forward-thread.js';
import type { ForwardWorkerData } from '../pipeline/forward-thread/messages.js';
import { toPortable } from '../pipeline/forward-thread/portable-config.js';
import { hasKeyedProcessor } from '../pipeline/keys.js';
import { Service, type ServiceRole } from '../pipeline/service.js';
import { startBufferScavenger } from './buffer-scavenger.js';
import { logProcessWarnings } from './process-warnings.js';
import { type ConfigOptions, loadAndReport } from './validate.js';
import { VERSION } from './version.js';

/** Runs until a signal; resolves with the exit code. */
export async function run(options: ConfigOptions): Promise<number> {
  const config = await loadAndReport(options);
  if (!config) return 1;
  const logger = pino({ level: config.service.telemetry.logs.level, base: { service: 'vigil', version: VERSION } });
  logProcessWarnings(logger);
  startBufferScavenger();

  let forwarderDied!: (reason: string) => void;
  const death = new Promise<string>((resolve) => (forwarderDied = resolve));
  let service: Service;
  try {
    service = await Service.create(config, logger, split(config, options.registry, logger, forwarderDied));
    await service.start();
  } catch (err) {
    logger.fatal({ err: messageOf(err) }, 'cannot start');
    return 1;
  }

  // Bad input never reaches here; an escaped rejection is a bug to log, not a reason to drop data.
  process.on('unhandledRejection', (reason) => logger.error({ err: messageOf(reason) }, 'unhandled rejection'));

  const signal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const why = await Promise.race([signal, death.then((reason) => ({ reason }))]);
  if (typeof why === 'string') logger.info({ signal: why }, 'received signal, shutting down');
  else logger.fatal({ err: why.reason }, 'the forwarding thread died; shutting down');
  const forced = (): void => {
    logger.warn('second signal: exiting without draining');
    process.exit(130);
  };
  process.once('SIGTERM', forced);
  process.once('SIGINT', forced);
  const errors = await service.shutdown();
  for (const e of errors) logger.error({ err: e.message }, 'shutdown error');
  logger.info({ errors: errors.length }, 'shutdown complete');
  return errors.length === 0 && typeof why === 'string' ? 0 : 1;
}

/**
 * Whether forwarding gets a thread (and a core) of its own. The Kafka queue: always, the topic is
 * the hand-over. The memory queue: as `forward_thread` says; `auto` when a processor keeps keyed
 * state and there are two cores. Such processors (tail_sampling, anomaly, baseline, ...) make the
 * forward side most of the work; a plain forwarding pipeline (otlp → batch → otlp) stays on one
 * thread, where the hand-over's copy would cost more than the second core gives.
 */
export function forwardsOnItsOwnThread(config: ServiceConfig, cores = availableParallelism()): boolean {
  const q = config.service.queue;
  if (q.type === 'kafka') return true;
  const wanted = q.memory.forward_thread;
  return wanted === 'auto' ? cores >= 2 && hasKeyedProcessor(config) : wanted;
}

/** Ingest here, forward on a worker thread (see forwardsOnItsOwnThread). */
function split(config: ServiceConfig, registry: string | undefined, logger: Logger, onDeath: (reason: string) => void): ServiceRole {
  if (!forwardsOnItsOwnThread(config)) return { role: 'all' };
  const script = new URL('./forward-worker.js', import.meta.url);
  // The validated config itself, not its files: the worker must run what was validated here.
  const data: ForwardWorkerData = { config: toPortable(config), registry: registry ?? new URL('./components.js', import.meta.url).href };
  logger.info({ queue: config.service.queue.type }, 'processors, connectors and exporters run on a forwarding thread of their own');
  return { role: 'ingest', forwarder: new ForwardThread(script, data, logger.child({ kind: 'forward_thread' }), onDeath) };
}
