/**
 * In-thread CPU of the analytics chain's two span readers (issue 10): span_metrics and tail_sampling
 * consume the same stage-log records, as in the daemon's in-line chain, in one process, without
 * receivers, logs or exporters. The chain's requests (chain-requests.ts) are split by partition as
 * the receiver would, outside the measured time; event time moves `--step-ms` per request, so the
 * sampler decides (decision_wait 5 s) and holds about as many traces as in the bench.
 *
 *   node dist/bench/span-walk-cpu.js [--requests 2000] [--step-ms 20]
 *
 * Prints one JSON line: CPU seconds (user + system, process.cpuUsage) per million spans, and the
 * load average. Compare builds by alternating runs: the machine is shared.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_QUEUE_PARTITIONS } from '../config/service.js';
import { configSchema as spanMetricsSchema } from '../connectors/span-metrics/config.js';
import { SpanMetricsConnector } from '../connectors/span-metrics/connector.js';
import { groupByPartition, Payload } from '../pdata/index.js';
import { Acknowledgement, type Delivery } from '../pipeline/delivery.js';
import { configSchema as tailSamplingSchema } from '../processors/tail-sampling/config.js';
import { createTailSampling } from '../processors/tail-sampling/processor.js';
import { NoopHost, noopConsumer, testSettings } from '../test/doubles.js';
import { CHAIN_SETTINGS, SPAN_METRICS_FLUSH } from './chain-config.js';
import { makeChainSource } from './chain-requests.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, 'step-ms': { type: 'string', default: '20' } } });
const requests = Number(values.requests);
const stepNs = BigInt(Number(values['step-ms']) * 1_000_000);

const chain = CHAIN_SETTINGS.chain;
const tailConfig = tailSamplingSchema.parse({
  decision_wait: chain.decisionWait, num_traces: chain.numTraces, drop_pending_traces_on_shutdown: true, max_held_size_mib: chain.heldMib,
  policies: [
    { name: 'slow', type: 'latency', latency: { threshold_ms: 500 } },
    { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
    { name: 'some-of-the-rest', type: 'probabilistic', probabilistic: { sampling_percentage: 10 } },
  ],
});
const sampler = createTailSampling({ ...testSettings('tail_sampling'), pipeline: 'traces/sampled' }, tailConfig, 'traces', noopConsumer);
const spanMetrics = new SpanMetricsConnector(testSettings('span_metrics'), spanMetricsSchema.parse({ metrics_flush_interval: SPAN_METRICS_FLUSH }), noopConsumer);
await sampler.start(new NoopHost());

// Event time starts in the past and moves step-ms per request, never past the wall clock.
let eventNs = BigInt(Date.now() - 1000) * 1_000_000n - BigInt(requests) * stepNs;
const source = makeChainSource(undefined, () => (eventNs += stepNs));
let offset = 0n;

function delivery(partition: number): Delivery {
  const ack = new Acknowledgement(() => {});
  return { log: 'traces.ingest', partition, offset: offset++, durable: false, hold: () => ack.hold() };
}

let cpuMicros = 0;
let spans = 0;
for (let i = 0; i < requests; i++) {
  const whole = new Payload('traces', source.next(), source.spansPerRequest);
  const records = groupByPartition(whole, DEFAULT_QUEUE_PARTITIONS, { by: 'trace_id' });
  const before = process.cpuUsage();
  for (const [partition, p] of records) {
    await spanMetrics.consume(p);
    await sampler.consume(p, delivery(partition));
  }
  const used = process.cpuUsage(before);
  cpuMicros += used.user + used.system;
  spans += whole.itemCount;
}
await sampler.shutdown(Date.now() + 10_000);
await spanMetrics.shutdown();

const load = loadavg().map((x) => x.toFixed(2)).join(' ');
process.stdout.write(JSON.stringify({ spans, cpuSec: +(cpuMicros / 1e6).toFixed(3), cpuSecPerMillionSpans: +(cpuMicros / spans).toFixed(3), load }) + '\n');
