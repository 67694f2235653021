/** A local OTLP/gRPC trace sink for tests: records span ids, answers after a settable delay. */
import * as grpc from '@grpc/grpc-js';
import { decodeProtobuf, forEachSpan } from '../pdata/index.js';

const PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const raw = (b: Buffer): Buffer => b;

/** A gRPC server speaking OTLP TraceService/Export. */
export class TraceSink {
  readonly spanIds = new Set<string>();
  spans = 0;
  requests = 0;
  /** Milliseconds to wait before answering each request. */
  delayMs = 0;
  private readonly server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  port = 0;

  async start(): Promise<void> {
    this.server.addService({
      Export: { path: PATH, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw },
    }, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const reply = (): void => {
          const { payload } = decodeProtobuf('traces', call.request);
          if (payload) forEachSpan(payload, (s) => this.spanIds.add(Buffer.from(s.spanId).toString('hex')));
          this.spans += payload?.itemCount ?? 0;
          this.requests++;
          callback(null, Buffer.alloc(0));
        };
        if (this.delayMs > 0) setTimeout(reply, this.delayMs);
        else reply();
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
  }

  stop(): void {
    this.server.forceShutdown();
  }
}
