/**
 * OTLP/gRPC on @grpc/grpc-js. The service definitions are written by hand and move raw bytes: the
 * request reaches the codec as the Buffer grpc-js read (already inflated when the client used
 * gzip), and responses are bytes the codec encoded. No protobuf library is involved.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { splitEndpoint } from '../../config/types.js';
import { decodeProtobuf, encodeExportResponse, encodeStatus } from '../../pdata/index.js';
import type { Signal } from '../../pdata/payload.js';
import type { GrpcConfig } from './config.js';
import type { Intake } from './intake.js';
import { widenFlowControlWindows } from './flow-control.js';
import { failureOf } from './status.js';

/** The fully qualified gRPC service of each signal (opentelemetry-proto collector/*). */
export const SERVICE_NAME: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
};

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A unary Export method whose request and response are opaque bytes. */
export function exportServiceDefinition(signal: Signal): grpc.ServiceDefinition {
  return {
    Export: {
      path: `/${SERVICE_NAME[signal]}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: asBuffer,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: asBuffer,
      responseDeserialize: (b: Buffer) => b,
      originalName: 'export',
    },
  };
}

/** grpc-js channel options from otelcol's grpc server settings. */
export function serverOptions(config: GrpcConfig): grpc.ServerOptions {
  const options: grpc.ServerOptions = {
    'grpc.max_receive_message_length': config.max_recv_msg_size_mib * 1024 * 1024,
  };
  if (config.max_concurrent_streams !== undefined) options['grpc.max_concurrent_streams'] = config.max_concurrent_streams;
  const sp = config.keepalive?.server_parameters;
  if (sp?.max_connection_idle !== undefined) options['grpc.max_connection_idle_ms'] = sp.max_connection_idle;
  if (sp?.max_connection_age !== undefined) options['grpc.max_connection_age_ms'] = sp.max_connection_age;
  if (sp?.max_connection_age_grace !== undefined) options['grpc.max_connection_age_grace_ms'] = sp.max_connection_age_grace;
  if (sp?.time !== undefined) options['grpc.keepalive_time_ms'] = sp.time;
  if (sp?.timeout !== undefined) options['grpc.keepalive_timeout_ms'] = sp.timeout;
  return options;
}

/** The gRPC half of the otlp receiver. */
export class GrpcFrontend {
  private server: grpc.Server | undefined;

  constructor(
    private readonly config: GrpcConfig,
    private readonly intake: Intake,
    private readonly logger: Logger,
  ) {}

  /** Binds; resolves with the bound address. Signals nobody consumes stay unregistered (UNIMPLEMENTED). */
  async start(): Promise<string> {
    if (this.config.keepalive?.enforcement_policy) {
      this.logger.warn('keepalive.enforcement_policy is accepted but not enforced: grpc-js servers do not police client pings');
    }
    const server = new grpc.Server(serverOptions(this.config));
    for (const signal of Object.keys(SERVICE_NAME) as Signal[]) {
      if (!this.intake.serves(signal)) continue;
      server.addService(exportServiceDefinition(signal), { Export: this.exportHandler(signal) });
    }
    const { host, port } = splitEndpoint(this.config.endpoint);
    const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(target, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    widenFlowControlWindows(server, this.logger);
    this.server = server;
    return host.includes(':') ? `[${host}]:${bound}` : `${host}:${bound}`;
  }

  /** Refuses new calls, lets running ones finish until `deadline`, then cancels what is left. */
  async shutdown(deadline: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - Date.now())); }),
    ]);
    clearTimeout(timer);
    server.forceShutdown();
  }

  private exportHandler(signal: Signal): grpc.handleUnaryCall<Buffer, Uint8Array> {
    return (call, callback) => {
      this.intake.export(signal, 'grpc', call.request.byteLength, () => decodeProtobuf(signal, call.request)).then(
        ({ rejected, message }) => callback(null, encodeExportResponse(signal, rejected, message)),
        (err: unknown) => {
          const f = failureOf(err);
          const metadata = new grpc.Metadata();
          // The Status with RetryInfo is how gRPC clients learn how long to back off.
          metadata.set('grpc-status-details-bin', asBuffer(encodeStatus(f.grpcCode, f.message, f.retryAfterMs)));
          callback({ code: f.grpcCode, details: f.message, metadata });
        },
      );
    };
  }
}
