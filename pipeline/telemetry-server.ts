/** Serves the self-metrics in Prometheus text format at `service.telemetry.metrics.address`. */
import type { Logger } from 'pino';
import { HttpHost } from './http/http-host.js';
import type { SelfMetrics } from './telemetry.js';

/** An HTTP server answering GET /metrics (any query string); everything else is an empty 404. */
export class TelemetryServer {
  private readonly http: HttpHost;

  constructor(address: string, metrics: SelfMetrics, logger: Logger) {
    // GET only, as Prometheus scrapes: HEAD is a 404 like any other method.
    this.http = new HttpHost({ component: 'telemetry', endpoint: address, logger, exposeHeadRoutes: false });
    this.http.app.get('/metrics', async (_req, reply) => {
      try {
        const text = await metrics.exposition();
        return await reply.code(200).type(metrics.registry.contentType).send(text);
      } catch (err) {
        return reply.code(500).send(String(err));
      }
    });
    this.http.app.setNotFoundHandler(async (_req, reply) => reply.code(404).send());
  }

  /** Listens; rejects with a ListenError naming the address. */
  async start(): Promise<void> {
    await this.http.start();
  }

  /** Stops listening; scrapes in flight may finish until `deadline` (epoch ms). */
  async shutdown(deadline = Date.now()): Promise<void> {
    await this.http.close(deadline);
  }
}
