/**
 * CORS as otelcol's confighttp does it: off unless `allowed_origins` is set; origins may hold `*`
 * wildcards (`https://*.example.com`, or `*` for any); credentials allowed, so the origin is echoed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsConfig } from './config.js';

// Browsers may always send these without listing them (and otelcol's CORS library allows them too).
const ALWAYS_ALLOWED_HEADERS = ['origin', 'accept', 'content-type', 'x-requested-with'];

/** Decides and writes the CORS headers of one receiver. */
export class Cors {
  private readonly origins: RegExp[];
  private readonly anyHeader: boolean;
  private readonly headers: Set<string>;

  constructor(private readonly config: CorsConfig | undefined) {
    this.origins = (config?.allowed_origins ?? []).map(wildcard);
    const configured = (config?.allowed_headers ?? []).map((h) => h.toLowerCase());
    this.anyHeader = configured.includes('*');
    this.headers = new Set([...ALWAYS_ALLOWED_HEADERS, ...configured]);
  }

  /** True when CORS is configured at all. */
  get enabled(): boolean {
    return this.origins.length > 0;
  }

  /** Adds Access-Control-Allow-Origin to an ordinary response when the request's origin is allowed. */
  decorate(req: IncomingMessage, res: ServerResponse): void {
    if (!this.enabled) return;
    res.setHeader('Vary', 'Origin');
    const origin = this.allowedOrigin(req);
    if (!origin) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  }

  /**
   * Answers a preflight (OPTIONS with Access-Control-Request-Method). A refused preflight gets 204
   * without allow headers, so the browser blocks the real request.
   */
  preflight(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    const origin = this.allowedOrigin(req);
    const method = (req.headers['access-control-request-method'] ?? '').toUpperCase();
    const requested = (req.headers['access-control-request-headers'] ?? '')
      .split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
    const headersOk = this.anyHeader || requested.every((h) => this.headers.has(h));
    if (origin && method === 'POST' && headersOk) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      if (requested.length > 0) res.setHeader('Access-Control-Allow-Headers', requested.join(', '));
      if (this.config?.max_age) res.setHeader('Access-Control-Max-Age', String(this.config.max_age));
    }
    res.writeHead(204).end();
  }

  private allowedOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || origin === '') return undefined;
    return this.origins.some((re) => re.test(origin)) ? origin : undefined;
  }
}

/** An origin pattern with `*` wildcards as an anchored, case-insensitive regular expression. */
function wildcard(pattern: string): RegExp {
  const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 'i');
}
