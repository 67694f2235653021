/**
 * How the load generator sends one pre-encoded export request: OTLP/gRPC through grpc-js with a
 * raw-bytes serializer, or OTLP/HTTP protobuf over a keep-alive agent. Each answer is classified
 * as accepted, a retryable refusal (backpressure) or an error.
 */
import * as grpc from '@grpc/grpc-js';
import { Agent, request } from 'node:http';

/** The OTLP transports the benchmark drives. */
export type Transport = 'grpc' | 'http';

/** What became of one request. */
export type Outcome = { kind: 'ok' } | { kind: 'refused'; retryAfterMs?: number } | { kind: 'error'; message: string };

/** Sends request bodies to one endpoint; `close` releases its connections. */
export interface Sender {
  send(body: Buffer): Promise<Outcome>;
  close(): void;
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const REQUEST_TIMEOUT_MS = 10_000;
const raw = (b: Buffer): Buffer => b;
const OK: Outcome = { kind: 'ok' };

/** One gRPC channel (its own TCP connection, as a separate SDK exporter would have) to `target` (host:port). */
export function grpcSender(target: string): Sender {
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    // A private subchannel pool, so each sender really has its own connection.
    'grpc.use_local_subchannel_pool': 1,
  });
  return {
    send: (body) => new Promise((resolve) => {
      client.makeUnaryRequest(EXPORT_PATH, raw, raw, body, new grpc.Metadata(), { deadline: Date.now() + REQUEST_TIMEOUT_MS }, (err) => {
        if (!err) resolve(OK);
        else if (err.code === grpc.status.RESOURCE_EXHAUSTED || err.code === grpc.status.UNAVAILABLE) resolve({ kind: 'refused' });
        else resolve({ kind: 'error', message: `grpc ${grpc.status[err.code] ?? err.code}: ${err.details}` });
      });
    }),
    close: () => client.close(),
  };
}

/** An HTTP/1.1 keep-alive client for POST /v1/traces at `target` (host:port), up to `sockets` connections. */
export function httpSender(target: string, sockets: number): Sender {
  const colon = target.lastIndexOf(':');
  const host = target.slice(0, colon);
  const port = Number(target.slice(colon + 1));
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  return {
    send: (body) => new Promise((resolve) => {
      const req = request({
        agent, host, port, path: '/v1/traces', method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        timeout: REQUEST_TIMEOUT_MS,
      }, (res) => {
        res.resume();
        res.once('end', () => {
          const code = res.statusCode ?? 0;
          if (code === 200) resolve(OK);
          else if (code === 429 || code === 503) {
            const after = Number(res.headers['retry-after']);
            resolve({ kind: 'refused', ...(after > 0 ? { retryAfterMs: after * 1000 } : {}) });
          } else resolve({ kind: 'error', message: `http ${code}` });
        });
        res.once('error', (err) => resolve({ kind: 'error', message: err.message }));
      });
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', (err) => resolve({ kind: 'error', message: err.message }));
      req.end(body);
    }),
    close: () => agent.destroy(),
  };
}
