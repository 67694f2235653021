/**
 * Answers orchestrators' probes: 200 while the service runs and every stage log and the state
 * store are reachable, 503 while starting, draining or degraded — so a load balancer stops sending
 * before we stop listening, and a rolling update waits for readiness.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { splitEndpoint } from '../../config/types.js';
import type { CreateSettings, Extension, Host } from '../../pipeline/component.js';
import type { Config } from './config.js';

/** The health_check extension. */
export class HealthCheck implements Extension {
  private server: Server | undefined;
  private host: Host | undefined;
  private readonly startedAt = new Date();

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: Config,
  ) {}

  async start(host: Host): Promise<void> {
    this.host = host;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== this.config.path) {
        res.writeHead(404).end();
        return;
      }
      const reasons = this.host?.notReadyReasons() ?? ['not started'];
      const ok = reasons.length === 0;
      const body = ok
        ? { status: 'Server available', upSince: this.startedAt.toISOString(), uptime: `${((Date.now() - this.startedAt.getTime()) / 1000).toFixed(3)}s` }
        : { status: 'Server not available', reasons };
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
    const { host: hostname, port } = splitEndpoint(this.config.endpoint);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, hostname, () => resolve());
    });
    this.server = server;
    const bound = server.address() as AddressInfo;
    this.settings.logger.info({ endpoint: `${bound.address}:${bound.port}` }, 'health check listening');
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
