/**
 * Whether the real services of `npm run services:up` are here, and what an integration test does
 * when one is not: skip with a loud message, or fail when `CI` or `VIGIL_REQUIRE_SERVICES` is set.
 */
import { Socket } from 'node:net';
import type { Test } from 'tap';

/** The shared Kafka broker's address. */
export const KAFKA_BROKER = 'localhost:9092';

/** True when 127.0.0.1:`port` accepts a TCP connection within `timeoutMs`. */
function accepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const end = (ok: boolean): void => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => end(false));
    s.once('error', () => end(false));
    s.connect(port, '127.0.0.1', () => end(true));
  });
}

/** Whether the shared Kafka broker answers on localhost:9092. */
export const kafkaAvailable = (): Promise<boolean> => accepts(9092);

/**
 * Returns `available`. When false the test fails under `CI`/`VIGIL_REQUIRE_SERVICES`, and is
 * otherwise skipped saying so on stderr, so no run passes quietly without the service.
 */
export function requireService(t: Test, name: string, available: boolean): boolean {
  if (available) return true;
  const why = `${name} is not running on localhost (start it with \`npm run services:up\`)`;
  if (process.env.CI || process.env.VIGIL_REQUIRE_SERVICES) {
    t.fail(`${why}; required because CI or VIGIL_REQUIRE_SERVICES is set`);
  } else {
    process.stderr.write(`\n*** SKIPPING ${t.name}: ${why} ***\n\n`);
    t.pass(`SKIPPED: ${why}`, { skip: why });
  }
  return false;
}
