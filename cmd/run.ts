/** `vigil run`: load, build, start; drain and stop on SIGTERM/SIGINT. */
import { pino } from 'pino';
import { messageOf } from '../pipeline/errors.js';
import { Service } from '../pipeline/service.js';
import { type ConfigOptions, loadAndReport } from './validate.js';
import { VERSION } from './version.js';

/** Runs until a signal; resolves with the exit code. */
export async function run(options: ConfigOptions): Promise<number> {
  const config = loadAndReport(options);
  if (!config) return 1;
  const logger = pino({ level: config.service.telemetry.logs.level, base: { service: 'vigil', version: VERSION } });

  let service: Service;
  try {
    service = new Service(config, logger);
    await service.start();
  } catch (err) {
    logger.fatal({ err: messageOf(err) }, 'cannot start');
    return 1;
  }

  // Bad input never reaches here; an escaped rejection is a bug to log, not a reason to drop data.
  process.on('unhandledRejection', (reason) => logger.error({ err: messageOf(reason) }, 'unhandled rejection'));

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'received signal, shutting down');
  const forced = (): void => {
    logger.warn('second signal: exiting without draining');
    process.exit(130);
  };
  process.once('SIGTERM', forced);
  process.once('SIGINT', forced);
  const errors = await service.shutdown();
  for (const e of errors) logger.error({ err: e.message }, 'shutdown error');
  logger.info({ errors: errors.length }, 'shutdown complete');
  return errors.length === 0 ? 0 : 1;
}
