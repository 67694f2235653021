/**
 * Entry of a daemon's forwarding thread (pipeline/forward-thread): runs the
 * forward side of the config the main thread validated, handed over as data (portable-config).
 * It reads no config file: both threads run the same config even if the files change meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import type { ForwardWorkerData, FromForwarder } from '../pipeline/forward-thread/messages.js';
import { fromPortable } from '../pipeline/forward-thread/portable-config.js';
import { serveForwarding } from '../pipeline/forward-thread/serve.js';
import { messageOf } from '../pipeline/errors.js';
import { Service } from '../pipeline/service.js';
import { startBufferScavenger } from './buffer-scavenger.js';
import { logProcessWarnings } from './process-warnings.js';
import { loadRegistry } from './registry.js';
import { VERSION } from './version.js';

const port = parentPort!;
const data = workerData as ForwardWorkerData;
const fail = (error: string): void => port.postMessage({ type: 'start-failed', error } satisfies FromForwarder);

let service: Service | undefined;
try {
  const config = fromPortable(data.config, await loadRegistry(data.registry));
  const logger = pino({ level: config.service.telemetry.logs.level, base: { service: 'vigil', version: VERSION, thread: 'forward' } });
  logProcessWarnings(logger);
  startBufferScavenger();
  process.on('unhandledRejection', (reason) => logger.error({ err: messageOf(reason) }, 'unhandled rejection'));
  service = await Service.create(config, logger, { role: 'forward' });
} catch (err) {
  fail(messageOf(err));
}
if (service) await serveForwarding(port, service);
