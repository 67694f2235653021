import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { LoadGen } from './ipc.js';
import { cpuBetween, sampleProc } from './proc-stats.js';

t.test('saturation over gRPC against the generator\'s own sink: acks, sink count and window agree', async (t) => {
  const gen = await LoadGen.start();
  t.teardown(() => gen.stop());
  t.ok(gen.requestBytes > 100_000, `a 512-span request is ${gen.requestBytes} bytes`);
  const marks: Array<{ mark: string; spans: number; cpu: number }> = [];
  const { result, sink } = await gen.phase(
    { transport: 'grpc', targets: [`127.0.0.1:${gen.sinkPort}`], mode: 'saturation', concurrency: 4, warmupMs: 300, durationMs: 1000 },
    (mark, s) => marks.push({ mark, spans: s.spans, cpu: sampleProc(gen.pid).cpuSeconds }),
  );
  t.same(marks.map((m) => m.mark), ['start', 'end']);
  t.equal(result.errorRequests, 0);
  t.equal(result.refusedRequests, 0);
  t.ok(result.windowAckedSpans > 0);
  t.equal(sink.spans, result.ackedSpans, 'every acknowledged span was counted by the sink');
  // Inside the window the sink and the acks differ by at most the requests in flight at each edge.
  const sinkWindow = marks[1]!.spans - marks[0]!.spans;
  t.ok(Math.abs(sinkWindow - result.windowAckedSpans) <= 2 * 4 * 512, `sink ${sinkWindow} vs acked ${result.windowAckedSpans}`);
  t.equal(result.latency.count * 512, result.windowAckedSpans, 'one latency sample per acknowledged request');
  t.ok(result.latency.p99 >= result.latency.p50 && result.latency.p50 > 0);
  t.ok(marks[1]!.cpu > marks[0]!.cpu, 'the generator process is measurable from outside');
  await gen.resetSink();
  t.equal((await gen.sink()).spans, 0);
});

t.test('rate mode paces evenly; HTTP refusals are counted apart from throughput', async (t) => {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      // Every fourth request is refused, as a daemon under backpressure would.
      if (++n % 4 === 0) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const gen = await LoadGen.start();
  t.teardown(() => gen.stop());
  const port = (server.address() as AddressInfo).port;
  const before = sampleProc(gen.pid);
  const { result } = await gen.phase({
    transport: 'http', targets: [`127.0.0.1:${port}`], mode: 'rate', rateSpansPerSec: 51_200, concurrency: 4, warmupMs: 200, durationMs: 1000,
  });
  // 51 200 spans/s is 100 requests/s: about 120 over 1.2 s.
  t.ok(result.sentRequests >= 105 && result.sentRequests <= 130, `sent ${result.sentRequests}`);
  t.ok(result.refusedRequests >= 25 && result.refusedRequests <= 32, `refused ${result.refusedRequests}`);
  t.equal(result.okRequests + result.refusedRequests, result.sentRequests);
  t.equal(result.ackedSpans, result.okRequests * 512, 'refused requests are not throughput');
  t.ok(result.lateRequests <= 10, `late ${result.lateRequests}`);
  t.ok(cpuBetween(before, sampleProc(gen.pid)).cpuSeconds >= 0);
});

t.test('an unreachable target is an error, not a hang', async (t) => {
  const gen = await LoadGen.start();
  t.teardown(() => gen.stop());
  const { result } = await gen.phase({ transport: 'http', targets: ['127.0.0.1:1'], mode: 'saturation', concurrency: 2, warmupMs: 0, durationMs: 300 });
  t.equal(result.okRequests, 0);
  t.ok(result.errorRequests > 0);
  t.match(result.firstError, /ECONNREFUSED/);
});

t.test('chain requests with maxSpans: the phase stops once that many spans are in, and ends early', async (t) => {
  const gen = await LoadGen.start();
  t.teardown(() => gen.stop());
  const started = performance.now();
  const { result, sink } = await gen.phase({
    transport: 'grpc', targets: [`127.0.0.1:${gen.sinkPort}`], mode: 'saturation', concurrency: 4, warmupMs: 0, durationMs: 60_000,
    requests: 'chain', maxSpans: 20 * 500,
  });
  t.ok(performance.now() - started < 30_000, 'ended long before its 60 s');
  t.equal(result.ackedSpans, 20 * 500, 'exactly the limit: chain requests are 500 spans');
  t.equal(result.sentRequests, 20);
  t.equal(sink.spans, 20 * 500);
});
