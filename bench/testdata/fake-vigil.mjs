// A stand-in for the daemon in the benchmark's own tests: reads the benchmark's YAML, answers health
// and metrics, and forwards OTLP/gRPC and OTLP/HTTP trace requests as they are to the sink (or writes
// one JSON line with a "spanId" key per span to the file). It measures nothing about vigil.
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { parse } from 'yaml';

const cfg = parse(readFileSync(process.argv[process.argv.indexOf('--config') + 1], 'utf8'));
const hostPort = (s) => { const i = s.lastIndexOf(':'); return [s.slice(0, i), Number(s.slice(i + 1))]; };
const PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const raw = (b) => b;
const def = { path: PATH, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw };
const sinkEndpoint = cfg.exporters.otlp_grpc?.endpoint;
const client = sinkEndpoint ? new grpc.Client(sinkEndpoint, grpc.credentials.createInsecure()) : undefined;
const forward = (body, done) => {
  if (client) client.makeUnaryRequest(PATH, raw, raw, body, (err) => done(err));
  else { appendFileSync(cfg.exporters.file.path, `${'{"spanId":"x"}'.repeat(512)}\n`); done(null); }
};
const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 << 20 });
server.addService({ Export: def }, { Export: (call, cb) => forward(call.request, (err) => cb(err, Buffer.alloc(0))) });
const [gh, gp] = hostPort(cfg.receivers.otlp.protocols.grpc.endpoint);
server.bindAsync(`${gh}:${gp}`, grpc.ServerCredentials.createInsecure(), () => {});
const [hh, hp] = hostPort(cfg.receivers.otlp.protocols.http.endpoint);
createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => forward(Buffer.concat(parts), (err) => res.writeHead(err ? 503 : 200).end()));
}).listen(hp, hh);
const [mh, mp] = hostPort(cfg.service.telemetry.metrics.address);
createServer((req, res) => {
  const cpu = process.cpuUsage();
  res.end(`otelcol_process_cpu_seconds ${(cpu.user + cpu.system) / 1e6}\notelcol_process_memory_rss ${process.memoryUsage.rss()}\n`);
}).listen(mp, mh);
const [xh, xp] = hostPort(cfg.extensions.health_check.endpoint);
createServer((req, res) => res.end('ok')).listen(xp, xh);
process.on('SIGTERM', () => process.exit(0));
