/**
 * The least an OTLP/gRPC trace forwarder on Node can weigh: the bench's daemon stand-in for
 * `rss-probe` (`VIGIL_BENCH_DAEMON=dist/bench/node-floor.js node dist/bench/rss-probe.js`). It reads
 * the same config the bench gives vigil, takes each request's bytes from grpc-js undecoded,
 * forwards them as they are to the exporter's endpoint with grpc-js, and answers once the sink has.
 * No decoding, validation, batching, queue or self-metrics beyond an empty page: whatever RSS it
 * reaches at 10,000 spans/s is the floor under any daemon written for Node with grpc-js, vigil
 * included (README.md, "Side by side": issue 13's peak-RSS target).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { parse } from 'yaml';

const SERVICE = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const bytes = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };

interface BenchConfig {
  receivers: { otlp: { protocols: { grpc: { endpoint: string } } } };
  exporters: { otlp_grpc: { endpoint: string } };
  extensions: { health_check: { endpoint: string } };
  service: { telemetry: { metrics: { address: string } } };
}

const hostPort = (endpoint: string): [string, number] => {
  const i = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, i), Number(endpoint.slice(i + 1))];
};

function main(): void {
  const { values } = parseArgs({ options: { config: { type: 'string' } } });
  const config = parse(readFileSync(values.config!, 'utf8')) as BenchConfig;
  const client = new grpc.Client(config.exporters.otlp_grpc.endpoint, grpc.credentials.createInsecure());
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  server.addService({
    Export: { path: SERVICE, requestStream: false, responseStream: false, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
  }, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
      client.makeUnaryRequest(SERVICE, bytes.serialize, bytes.deserialize, call.request, (err, reply) => done(err, reply));
    },
  });
  server.bindAsync(config.receivers.otlp.protocols.grpc.endpoint, grpc.ServerCredentials.createInsecure(), (err) => {
    if (err) throw err;
  });
  // The bench polls the health check before it starts, and scrapes self-metrics while it measures.
  const [healthHost, healthPort] = hostPort(config.extensions.health_check.endpoint);
  createServer((_req, res) => res.end('{"status":"Server available"}')).listen(healthPort, healthHost);
  const [metricsHost, metricsPort] = hostPort(config.service.telemetry.metrics.address);
  createServer((_req, res) => res.end('')).listen(metricsPort, metricsHost);
  process.on('SIGTERM', () => process.exit(0));
}

main();
