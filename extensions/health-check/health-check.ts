/**
 * Answers orchestrators' probes: 200 while the service runs and every stage log and the state
 * store are reachable, 503 while starting, draining or degraded — so a load balancer stops sending
 * before we stop listening, and a rolling update waits for readiness.
 */
import type { CreateSettings, Extension, Host } from '../../pipeline/component.js';
import { HttpHost } from '../../pipeline/http/http-host.js';
import type { Config } from './config.js';

/** The health_check extension. */
export class HealthCheck implements Extension {
  private http: HttpHost | undefined;
  private host: Host | undefined;
  private readonly startedAt = new Date();

  constructor(
    private readonly settings: CreateSettings,
    private readonly config: Config,
  ) {}

  async start(host: Host): Promise<void> {
    this.host = host;
    const http = new HttpHost({ component: `extension ${this.settings.id.id}`, endpoint: this.config.endpoint, logger: this.settings.logger });
    // Any method on the configured path, as otelcol's health check; elsewhere an empty 404.
    http.app.all(routePath(this.config.path), async (_req, reply) => {
      const { status, body } = this.answer();
      // Bytes, so that fastify sends the content type as set (no `; charset=utf-8` added).
      return reply.code(status).type('application/json').send(Buffer.from(JSON.stringify(body)));
    });
    http.app.setNotFoundHandler(async (_req, reply) => reply.code(404).send());
    await http.start();
    this.http = http;
  }

  async shutdown(deadline: number): Promise<void> {
    await this.http?.close(deadline);
  }

  /** The probe's answer now. */
  private answer(): { status: number; body: object } {
    const reasons = this.host?.notReadyReasons() ?? ['not started'];
    if (reasons.length > 0) return { status: 503, body: { status: 'Server not available', reasons } };
    const uptime = `${((Date.now() - this.startedAt.getTime()) / 1000).toFixed(3)}s`;
    return { status: 200, body: { status: 'Server available', upSince: this.startedAt.toISOString(), uptime } };
  }
}

/** `path` as a fastify route: its `:` are literal (`::`), not parameters. */
function routePath(path: string): string {
  return path.replaceAll(':', '::');
}
