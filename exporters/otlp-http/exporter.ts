/**
 * The otlp_http exporter: POSTs each payload to the signal's URL as protobuf (the bytes as they
 * are) or OTLP/JSON, gzip by default, over keep-alive connections, under the shared sending machinery.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { CreateSettings, Exporter } from '../../pipeline/component.js';
import { PermanentError, RetryableError, messageOf } from '../../pipeline/errors.js';
import { toJson } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { loadTls } from '../../config/tls.js';
import { createSender, partialSuccess, partialSuccessJson, type Sender, type SendResult } from '../exporterhelper/index.js';
import { signalUrl, type Config } from './config.js';
import { errorOfResponse } from './status.js';

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);
/** Error bodies are read this far, no further: only their message matters. */
const MAX_RESPONSE_BYTES = 1 << 20;

/** Sends every signal to an OTLP/HTTP server. */
export class OtlpHttpExporter implements Exporter {
  private agents: { http: http.Agent; https: https.Agent } | undefined;
  private readonly sender: Sender;
  private readonly headers: Record<string, string>;

  constructor(private readonly settings: CreateSettings, private readonly config: Config) {
    this.headers = {
      ...config.headers,
      'content-type': config.encoding === 'json' ? 'application/json' : 'application/x-protobuf',
      'user-agent': 'vigil',
    };
    if (config.compression === 'gzip' || config.compression === 'deflate') this.headers['content-encoding'] = config.compression;
    this.sender = createSender({
      settings, retry: config.retry_on_failure, queue: config.sending_queue, timeoutMs: config.timeout,
      send: (payload, signal) => this.send(payload, signal),
    });
  }

  async start(): Promise<void> {
    const c = this.config;
    const common: http.AgentOptions = { keepAlive: !c.disable_keep_alives };
    if (c.max_conns_per_host) common.maxSockets = c.max_conns_per_host;
    if (c.max_idle_conns_per_host ?? c.max_idle_conns) common.maxFreeSockets = (c.max_idle_conns_per_host ?? c.max_idle_conns)!;
    if (c.idle_conn_timeout !== undefined) common.timeout = c.idle_conn_timeout;
    const tls = c.tls.insecure ? undefined : loadTls(c.tls);
    this.agents = { http: new http.Agent(common), https: new https.Agent({ ...common, ...tls }) };
    this.settings.logger.debug({ traces: signalUrl(c, 'traces'), encoding: c.encoding, compression: c.compression }, 'otlp_http exporter started');
  }

  consume(payload: Payload): Promise<void> {
    return this.sender.consume(payload);
  }

  async shutdown(deadline: number): Promise<void> {
    try {
      await this.sender.shutdown(deadline);
    } finally {
      this.agents?.http.destroy();
      this.agents?.https.destroy();
      this.agents = undefined;
    }
  }

  private async body(payload: Payload): Promise<Buffer> {
    const raw = this.config.encoding === 'json'
      ? Buffer.from(toJson(payload), 'utf8')
      : Buffer.from(payload.bytes.buffer, payload.bytes.byteOffset, payload.bytes.byteLength);
    if (this.config.compression === 'gzip') return gzip(raw);
    if (this.config.compression === 'deflate') return deflate(raw);
    return raw;
  }

  private async send(payload: Payload, signal: AbortSignal): Promise<SendResult> {
    const target = signalUrl(this.config, payload.signal);
    if (!target) throw new PermanentError(`no endpoint configured for ${payload.signal}`);
    if (!this.agents) throw new RetryableError('otlp_http exporter is not started');
    const body = await this.body(payload);
    const url = new URL(target);
    const secure = url.protocol === 'https:';
    return new Promise<SendResult>((resolve, reject) => {
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? this.agents!.https : this.agents!.http,
        headers: { ...this.headers, 'content-length': String(body.length) },
        signal,
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => { if (size < MAX_RESPONSE_BYTES) { chunks.push(c); size += c.length; } });
        res.on('error', (err) => reject(new RetryableError(`reading the response failed: ${err.message}`)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const data = Buffer.concat(chunks);
          const type = res.headers['content-type'];
          if (status >= 200 && status < 300) {
            resolve(data.length === 0 ? {} : type?.includes('json') ? partialSuccessJson(data.toString('utf8')) : partialSuccess(data));
          } else {
            reject(errorOfResponse(status, data, type, res.headers['retry-after']));
          }
        });
      });
      // Connection refused, reset, DNS: the destination may come back.
      req.on('error', (err) => reject(new RetryableError(`POST ${target} failed: ${messageOf(err)}`, undefined, { cause: err })));
      req.end(body);
    });
  }
}
