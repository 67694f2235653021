/**
 * `node dist/bench/rss-probe.js [--system vigil|otelcol] [--repeat 3] [--duration 10s] [--rate 10000]`:
 * the steady-10k path alone, for working on memory and latency: per fresh daemon, its RSS idle
 * (started, healthy, 2 s settled), its peak RSS (VmHWM), CPU share and request latency after a
 * steady rate (10,000 spans/s by default; the half-load p99 at a higher `--rate`) over gRPC for the
 * window. `VIGIL_BENCH_DAEMON` points it at another build of the vigil command (an A/B).
 * Prints one JSON line per run. Short and targeted: no otelcol unless asked.
 */
import { parseArgs } from 'node:util';
import { BenchDaemon, freePorts, killAllDaemons, VIGIL } from './daemon.js';
import { daemonYaml, otelcolYaml } from './daemon-config.js';
import { LoadGen } from './ipc.js';
import { measuredPhase } from './measure.js';
import { parseDuration } from '../config/types.js';
import { peerBinary } from '../test/peer.js';
import { sampleProc } from './proc-stats.js';

const MIB = 1024 * 1024;
const DEFAULT_RATE = 10_000;

async function probe(gen: LoadGen, otelcol: string | undefined, durationMs: number, rate: number, nodeArgs: string[]): Promise<Record<string, number | string>> {
  const [grpc, http, health, metrics] = (await freePorts(4)) as [number, number, number, number];
  const ports = { grpc, http, health, metrics };
  const exporter = { kind: 'sink', port: gen.sinkPort } as const;
  const yaml = otelcol ? otelcolYaml(ports, exporter) : daemonYaml(ports, exporter, { type: 'memory' });
  const daemon = await BenchDaemon.start({ yaml, healthPort: health, metricsPort: metrics, ...(otelcol ? { otelcol } : { nodeArgs }) });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idle = sampleProc(daemon.pid);
    await gen.resetSink();
    const m = await measuredPhase(gen, [daemon], {
      transport: 'grpc', targets: [`127.0.0.1:${grpc}`], concurrency: 8, warmupMs: 3000, durationMs, mode: 'rate', rateSpansPerSec: rate,
    });
    return {
      system: otelcol ? 'otelcol' : VIGIL, idleRssMiB: +(idle.rssBytes / MIB).toFixed(1), peakRssMiB: +(m.daemonHwmBytes / MIB).toFixed(1),
      endRssMiB: +(m.daemonRssBytes / MIB).toFixed(1), corePct: +(m.daemonCoreShare * 100).toFixed(1), sinkRate: Math.round(m.sinkRate),
      p50Ms: +m.phase.latency.p50.toFixed(2), p99Ms: +m.phase.latency.p99.toFixed(2),
    };
  } finally {
    await daemon.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    system: { type: 'string', default: 'vigil' }, repeat: { type: 'string', default: '3' }, duration: { type: 'string', default: '10s' },
    'node-flags': { type: 'string', default: '' }, rate: { type: 'string', default: String(DEFAULT_RATE) },
  } });
  const otelcol = values.system === 'otelcol' ? await peerBinary() : undefined;
  const durationMs = parseDuration(values.duration) ?? 10_000;
  const rate = Number(values.rate);
  if (!(rate >= 100 && rate <= 1_000_000)) throw new Error('--rate is 100..1000000 spans/s');
  const nodeArgs = values['node-flags'].split(/\s+/).filter(Boolean);
  const gen = await LoadGen.start();
  try {
    for (let i = 0; i < Number(values.repeat); i++) process.stdout.write(`${JSON.stringify(await probe(gen, otelcol, durationMs, rate, nodeArgs))}\n`);
  } finally {
    await gen.stop();
  }
}

process.once('exit', killAllDaemons);
main().catch((err: unknown) => {
  process.stderr.write(`rss-probe: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  killAllDaemons();
  process.exitCode = 2;
});
