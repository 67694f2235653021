/**
 * OTLP/HTTP on node:http: POST of protobuf or JSON export requests to one path per signal, gzip or
 * deflate bodies, answers in the request's encoding (OTLP spec "OTLP/HTTP").
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { splitEndpoint } from '../../config/types.js';
import { decodeProtobuf, encodeExportResponse, encodeStatus, exportResponseJson, fromJson, statusJson } from '../../pdata/index.js';
import type { Signal } from '../../pdata/payload.js';
import { ClientGoneError, inflaterFor, readBody } from './body.js';
import type { HttpConfig } from './config.js';
import { Cors } from './cors.js';
import type { Intake } from './intake.js';
import { BodyTooLargeError, failureOf, retryAfterSeconds, type Failure } from './status.js';

type Encoding = 'protobuf' | 'json';

const CONTENT_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** The body encoding a Content-Type names, or undefined when we do not speak it. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  if (!contentType) return undefined;
  const [type = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return undefined;
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** `host:port` of a bound socket, IPv6 hosts in brackets. */
export function formatAddress(a: AddressInfo): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** The HTTP half of the otlp receiver. */
export class HttpFrontend {
  private server: Server | undefined;
  private closing = false;
  private readonly paths: Map<string, Signal>;
  private readonly cors: Cors;

  constructor(
    private readonly config: HttpConfig,
    private readonly intake: Intake,
    private readonly logger: Logger,
  ) {
    this.paths = new Map<string, Signal>([
      [config.traces_url_path, 'traces'],
      [config.metrics_url_path, 'metrics'],
      [config.logs_url_path, 'logs'],
    ]);
    this.cors = new Cors(config.cors);
  }

  /** Listens; resolves with the bound address. */
  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('clientError', (err, socket) => {
      this.logger.debug({ err }, 'http client error');
      socket.destroy();
    });
    const { host, port } = splitEndpoint(this.config.endpoint);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error({ err }, 'http server error'));
    this.server = server;
    return formatAddress(server.address() as AddressInfo);
  }

  /** Stops accepting, lets in-flight requests finish until `deadline`, then drops every connection. */
  async shutdown(deadline: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - Date.now())); });
    await Promise.race([closed, late]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    // A reset connection must not become an unhandled 'error' event.
    req.on('error', () => {});
    res.on('error', () => {});
    if (this.closing) res.on('finish', () => setImmediate(() => this.server?.closeIdleConnections()));
    const enc = encodingOf(req.headers['content-type']);
    const isPreflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (isPreflight && this.cors.enabled) return this.cors.preflight(req, res);
    this.cors.decorate(req, res);

    const signal = this.paths.get((req.url ?? '/').split('?')[0]!);
    if (!signal || !this.intake.serves(signal)) {
      return this.refuse(req, res, enc, { grpcCode: GrpcStatus.NOT_FOUND, httpStatus: 404, message: `no OTLP endpoint at ${req.url}` });
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.refuse(req, res, enc, { grpcCode: GrpcStatus.UNIMPLEMENTED, httpStatus: 405, message: `method ${req.method} not allowed, use POST` });
    }
    if (!enc) {
      const message = `unsupported Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}, use application/x-protobuf or application/json`;
      return this.refuse(req, res, enc, { grpcCode: GrpcStatus.INVALID_ARGUMENT, httpStatus: 415, message });
    }
    const inflater = inflaterFor(req.headers['content-encoding']);
    if (inflater === undefined) {
      const message = `unsupported Content-Encoding ${JSON.stringify(req.headers['content-encoding'])}, use gzip, deflate or identity`;
      return this.refuse(req, res, enc, { grpcCode: GrpcStatus.INVALID_ARGUMENT, httpStatus: 415, message });
    }
    const limit = this.config.max_request_body_size;
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      return this.refuse(req, res, enc, failureOf(new BodyTooLargeError(`request body exceeds the limit of ${limit} bytes`)));
    }
    readBody(req, inflater, limit)
      .then((body) => this.intake.export(signal, 'http', body.byteLength, () => (enc === 'json' ? fromJson(signal, body) : decodeProtobuf(signal, body))))
      .then(
        ({ rejected, message }) => this.send(res, 200, enc, enc === 'json'
          ? exportResponseJson(signal, rejected, message)
          : encodeExportResponse(signal, rejected, message)),
        (err: unknown) => {
          if (err instanceof ClientGoneError) return void res.destroy();
          this.refuse(req, res, enc, failureOf(err));
        },
      )
      .catch((err: unknown) => {
        // Only a bug of ours gets here; the connection is the one thing left to clean up.
        this.logger.error({ err }, 'http export handler failed');
        res.destroy();
      });
  }

  /** Answers an error with a google.rpc.Status body, dropping any unread body first. */
  private refuse(req: IncomingMessage, res: ServerResponse, enc: Encoding | undefined, failure: Failure): void {
    this.dropBody(req, res);
    if (failure.httpStatus === 429 || failure.httpStatus === 503) res.setHeader('Retry-After', retryAfterSeconds(failure));
    // An encoding we do not speak gets JSON: readable to whoever sent it with curl.
    const e = enc ?? 'json';
    const body = e === 'json'
      ? statusJson(failure.grpcCode, failure.message, failure.retryAfterMs)
      : encodeStatus(failure.grpcCode, failure.message, failure.retryAfterMs);
    this.send(res, failure.httpStatus, e, body);
  }

  /**
   * The body we will not read is discarded, not buffered, and the connection closed after the
   * answer; a client that keeps sending past another `limit` bytes is cut off.
   */
  private dropBody(req: IncomingMessage, res: ServerResponse): void {
    if (req.complete) return;
    res.setHeader('Connection', 'close');
    let left = this.config.max_request_body_size;
    req.on('data', (chunk: Buffer) => {
      left -= chunk.length;
      if (left < 0) req.socket.destroy();
    });
    req.resume();
  }

  private send(res: ServerResponse, status: number, enc: Encoding, body: Uint8Array | string): void {
    if (res.headersSent || res.destroyed) return;
    if (this.closing) res.setHeader('Connection', 'close');
    res.setHeader('Content-Type', CONTENT_TYPE[enc]);
    res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    res.writeHead(status).end(body);
  }
}
