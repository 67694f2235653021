/** Serves the self-metrics in Prometheus text format at `service.telemetry.metrics.address`. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { splitEndpoint } from '../config/types.js';
import type { SelfMetrics } from './telemetry.js';

/** An HTTP server answering GET /metrics. */
export class TelemetryServer {
  private server: Server | undefined;

  constructor(
    private readonly address: string,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url !== '/metrics' && !req.url?.startsWith('/metrics?'))) {
        res.writeHead(404).end();
        return;
      }
      this.metrics.exposition().then(
        (text) => res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    const { host, port } = splitEndpoint(this.address);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const bound = server.address() as AddressInfo;
    this.logger.info({ metrics: `${bound.address}:${bound.port}` }, 'self-metrics listening');
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
