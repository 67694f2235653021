/**
 * The otlp_grpc exporter. One grpc-js channel per exporter; the request is the payload's protobuf
 * bytes, passed through untouched (no re-encoding), under the shared sending machinery.
 */
import * as grpc from '@grpc/grpc-js';
import type { CreateSettings, Exporter } from '../../pipeline/component.js';
import { UnavailableError } from '../../pipeline/errors.js';
import { BufferPool } from '../../pdata/index.js';
import type { Payload, Signal } from '../../pdata/payload.js';
import { loadTls } from '../../config/tls.js';
import { createSender, partialSuccess, type Sender, type SendResult } from '../exporterhelper/index.js';
import { parseEndpoint, type Config } from './config.js';
import { errorOfCall } from './status.js';

/** The Export method path of each signal's OTLP service. */
export const EXPORT_PATH: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

const asIs = (b: Buffer): Buffer => b;

function credentials(config: Config): grpc.ChannelCredentials {
  const scheme = parseEndpoint(config.endpoint)!.scheme;
  // As configgrpc: an http:// endpoint means plaintext, https:// means TLS whatever `insecure` says.
  if (scheme === 'http' || (scheme === undefined && config.tls.insecure)) return grpc.credentials.createInsecure();
  const tls = loadTls(config.tls);
  const verify: grpc.VerifyOptions = { rejectUnauthorized: tls.rejectUnauthorized };
  if (!tls.rejectUnauthorized) verify.checkServerIdentity = () => undefined;
  return grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null, verify);
}

function channelOptions(config: Config): grpc.ChannelOptions {
  const options: grpc.ChannelOptions = {
    'grpc.default_compression_algorithm': config.compression === 'gzip' ? grpc.compressionAlgorithms.gzip : grpc.compressionAlgorithms.identity,
    // The server decides what it accepts; the client must not refuse a large request itself.
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  };
  if (config.tls.server_name_override) options['grpc.ssl_target_name_override'] = config.tls.server_name_override;
  if (config.authority) options['grpc.default_authority'] = config.authority;
  if (config.keepalive?.time !== undefined) options['grpc.keepalive_time_ms'] = config.keepalive.time;
  if (config.keepalive?.timeout !== undefined) options['grpc.keepalive_timeout_ms'] = config.keepalive.timeout;
  if (config.keepalive?.permit_without_stream) options['grpc.keepalive_permit_without_calls'] = 1;
  if (config.balancer_name === 'round_robin') {
    options['grpc.service_config'] = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });
  }
  return options;
}

/** Sends every signal over one channel to an OTLP/gRPC server. */
export class OtlpGrpcExporter implements Exporter {
  private client: grpc.Client | undefined;
  private readonly metadata = new grpc.Metadata();
  private readonly sender: Sender;
  /**
   * What grpc-js is given to send: a copy of the payload in a buffer used again once its call ended
   * (grpc-js keeps every message it sent until a full garbage collection; BufferPool says why).
   */
  private readonly messages = new BufferPool();

  constructor(private readonly settings: CreateSettings, private readonly config: Config) {
    for (const [k, v] of Object.entries(config.headers)) this.metadata.set(k.toLowerCase(), v);
    if (config.wait_for_ready) this.metadata.setOptions({ waitForReady: true });
    this.sender = createSender({
      settings,
      retry: config.retry_on_failure,
      queue: config.sending_queue,
      timeoutMs: config.timeout,
      send: (payload, signal) => this.send(payload, signal),
    });
  }

  async start(): Promise<void> {
    const target = parseEndpoint(this.config.endpoint)!.target;
    this.client = new grpc.Client(target, credentials(this.config), channelOptions(this.config));
    this.settings.logger.debug({ target, compression: this.config.compression }, 'otlp_grpc channel created');
  }

  consume(payload: Payload): Promise<void> {
    return this.sender.consume(payload);
  }

  async shutdown(deadline: number): Promise<void> {
    try {
      await this.sender.shutdown(deadline);
    } finally {
      this.client?.close();
      this.client = undefined;
    }
  }

  private send(payload: Payload, signal: AbortSignal): Promise<SendResult> {
    const client = this.client;
    if (!client) return Promise.reject(new UnavailableError('otlp_grpc exporter is not started'));
    return this.call(client, EXPORT_PATH[payload.signal], this.messages.copyOf(payload.bytes), signal);
  }

  /**
   * One unary call. Its own function, without the payload in scope: grpc-js keeps the callback as
   * long as the message (until a full garbage collection), and a closure written inside `send`
   * would keep the payload's bytes, the whole batch, with it.
   */
  private call(client: grpc.Client, path: string, message: Buffer, signal: AbortSignal): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      const options: grpc.CallOptions = {};
      // The server learns the deadline too (grpc-timeout) and can stop working on it.
      if (this.config.timeout > 0) options.deadline = Date.now() + this.config.timeout;
      const call = client.makeUnaryRequest(path, asIs, asIs, message, this.metadata.clone(), options, (err, response) => {
        // The call has ended: grpc-js reads the message no more (it framed a copy of its own to send).
        // A call cancelled while grpc-js still compressed the message may read on, but what it makes
        // of those bytes belongs to the ended call and is never sent.
        this.messages.give(message);
        signal.removeEventListener('abort', cancel);
        if (err) reject(errorOfCall(err));
        else resolve(response ? partialSuccess(response) : {});
      });
      const cancel = (): void => call.cancel();
      signal.addEventListener('abort', cancel, { once: true });
    });
  }
}
