/**
 * The one way vigil serves HTTP for its own endpoints (health_check, self-metrics, the query API):
 * a fastify server on an `endpoint` setting, logging through the component's pino logger, with
 * fastify's route schema validation, a graceful close bounded by the shutdown deadline, and start
 * errors that name the component and the endpoint. The OTLP/HTTP receiver keeps its own
 * node:http server: it is on the data path and benchmarked.
 */
import type { AddressInfo } from 'node:net';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { splitEndpoint } from '../../config/types.js';
import { messageOf } from '../errors.js';
import { QuietRequestLog } from './log-controller.js';

/** What an HTTP host serves for. */
export interface HttpHostSettings {
  /** Who serves, as operators know it: `extension health_check`, `telemetry`. Named in logs and errors. */
  readonly component: string;
  /** `host:port` to listen on; port 0 picks a free one (tests). */
  readonly endpoint: string;
  /** The component's logger; the server logs through a child of it. */
  readonly logger: Logger;
  /** Answer HEAD on every GET route (fastify's default). Off keeps a server GET-only. */
  readonly exposeHeadRoutes?: boolean;
}

/** The host could not listen: the address is in use, not local, not permitted... */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly component: string,
    readonly endpoint: string,
    /** The system error code (`EADDRINUSE`), when there is one. */
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`${component}: cannot listen on ${endpoint}: ${describeListenFailure(code, cause)}`, { cause });
  }
}

/** One HTTP server. Register routes on `app` before `start`. */
export class HttpHost {
  /** The fastify instance, for registering routes (`app.get(...)`, `app.route({ schema, ... })`). */
  readonly app: FastifyInstance;
  private listening = false;

  constructor(private readonly settings: HttpHostSettings) {
    this.app = fastify({
      // A child: fastify's lines (and each request's) carry the component's bindings and the endpoint.
      // A pino logger is a FastifyBaseLogger; fastify's types only know the narrower interface.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed by tsc: it widens the instance type fastify infers
      loggerInstance: settings.logger.child({ endpoint: settings.endpoint }) as FastifyBaseLogger,
      logController: new QuietRequestLog(),
      exposeHeadRoutes: settings.exposeHeadRoutes ?? true,
      // Idle keep-alive sockets are closed at once on close; requests in flight may finish.
      forceCloseConnections: 'idle',
    });
  }

  /** Listens; resolves with the bound `host:port`; rejects with a ListenError. */
  async start(): Promise<string> {
    const { host, port } = splitEndpoint(this.settings.endpoint);
    try {
      await this.app.listen({ host, port, listenTextResolver: (address) => `${this.settings.component} listening at ${address}` });
    } catch (err) {
      await this.app.close().catch(() => {});
      throw new ListenError(this.settings.component, this.settings.endpoint, (err as NodeJS.ErrnoException).code, err);
    }
    this.listening = true;
    return this.address();
  }

  /** The bound `host:port` (with the real port when configured as 0). */
  address(): string {
    const bound = this.app.server.address() as AddressInfo | null;
    if (!bound) return this.settings.endpoint;
    return bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  }

  /**
   * Stops listening and lets requests in flight finish until `deadline` (epoch ms), then drops
   * the connections left. Safe to call without `start` and more than once.
   */
  async close(deadline: number): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const timer = setTimeout(() => this.app.server.closeAllConnections(), Math.max(0, deadline - Date.now()));
    try {
      await this.app.close();
    } catch (err) {
      this.settings.logger.warn({ err: messageOf(err) }, `${this.settings.component}: error closing the HTTP server`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A readable reason for a failed listen. */
function describeListenFailure(code: string | undefined, cause: unknown): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'address already in use (another process, or another component, listens there)';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine';
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    default:
      return messageOf(cause);
  }
}
