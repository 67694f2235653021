/** Measures forwarding: 512-span requests through the exporter to a grpc-js sink in this process. */
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { NoopHost, testSettings } from '../../test/doubles.js';
import { benchPayload } from '../exporterhelper/test-support.js';
import { configSchema } from './config.js';
import { EXPORT_PATH } from './exporter.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

t.test('forwarding throughput, 512-span requests, 10 consumers', async (t) => {
  let received = 0;
  const s = new grpc.Server();
  s.addService({
    Export: {
      path: EXPORT_PATH.traces, requestStream: false, responseStream: false,
      requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b,
    },
  }, { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => { received += call.request.length; cb(null, Buffer.alloc(0)); } });
  const port = await new Promise<number>((resolve, reject) =>
    s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  t.teardown(() => s.forceShutdown());
  const p = benchPayload(512);
  for (const compression of ['none', 'gzip']) {
    const e = factory.create(testSettings('otlp'), configSchema.parse({ endpoint: `127.0.0.1:${port}`, tls: { insecure: true }, compression }));
    await e.start(new NoopHost());
    const requests = compression === 'none' ? 400 : 100;
    await Promise.all(Array.from({ length: 10 }, () => e.consume(p))); // warm up the channel
    received = 0;
    const start = process.hrtime.bigint();
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < requests; i++) {
      inFlight.push(e.consume(p));
      if (inFlight.length >= 10) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const rate = Math.round((requests * 512) / seconds);
    t.comment(`otlp_grpc compression=${compression}: ${rate} spans/s (${requests} × 512 spans, ${(p.bytes.length / 1024).toFixed(0)} KiB each, sink in-process)`);
    t.equal(received, requests * p.bytes.length, 'every byte arrived');
    t.ok(rate > 20_000, `not collapsed (${rate} spans/s)`);
    await e.shutdown(Date.now() + 2000);
  }
});
