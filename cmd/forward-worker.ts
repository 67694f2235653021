/**
 * Entry of the forwarding thread of a Kafka-queue daemon (pipeline/forward-thread): loads the same
 * config as the main thread and runs its forward side. The main thread has already reported the
 * config's warnings and errors, so this one only fails if the files changed in between.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { loadConfig } from '../config/index.js';
import type { ForwardWorkerData, FromForwarder } from '../pipeline/forward-thread/messages.js';
import { serveForwarding } from '../pipeline/forward-thread/serve.js';
import { messageOf } from '../pipeline/errors.js';
import { Service } from '../pipeline/service.js';
import { FACTORIES } from './components.js';
import { VERSION } from './version.js';

const port = parentPort!;
const data = workerData as ForwardWorkerData;
const fail = (error: string): void => port.postMessage({ type: 'start-failed', error } satisfies FromForwarder);

const { config, errors } = loadConfig({ files: data.files, sets: data.sets, factories: FACTORIES, env: process.env });
if (!config || errors.length > 0) {
  fail(`invalid configuration: ${errors.map(String).join('; ')}`);
} else {
  const logger = pino({ level: config.service.telemetry.logs.level, base: { service: 'vigil', version: VERSION, thread: 'forward' } });
  process.on('unhandledRejection', (reason) => logger.error({ err: messageOf(reason) }, 'unhandled rejection'));
  let service: Service | undefined;
  try {
    service = new Service(config, logger, { role: 'forward' });
  } catch (err) {
    fail(messageOf(err));
  }
  if (service) await serveForwarding(port, service);
}
