/** probabilistic_sampler: otelcol's hash_seed decision, per trace, for spans and log records. */
import t from 'tap';
import type { Processor } from '../../pipeline/component.js';
import type { Payload } from '../../pdata/payload.js';
import { RecordingConsumer, testSettings } from '../../test/doubles.js';
import { logBodies, logsPayload, randomTraceId, spansPayload, spanTraceIds } from '../processorhelper/test-support.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';
import { computeHash, scaledSamplingRate, TraceIdSampler } from './hash.js';

await factory.load?.(); // the implementation, as the service loads it before building

const ID_A = '0102030405060708090a0b0c0d0e0f10';
const ID_B = '5b8efff798038103d269b633813fc60c';
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

function sampler(config: Record<string, unknown>, signal: 'traces' | 'logs' = 'traces'): { p: Processor; next: RecordingConsumer } {
  const next = new RecordingConsumer();
  return { p: factory.create(testSettings('probabilistic_sampler'), configSchema.parse(config), signal, next), next };
}

async function kept(config: Record<string, unknown>, payload: Payload): Promise<string[]> {
  const { p, next } = sampler(config);
  await p.consume(payload);
  return next.received.flatMap(spanTraceIds);
}

// Vectors computed outside vigil (a plain FNV-1a 32 over seed bytes little-endian ++ trace id bytes,
// with 32-bit float arithmetic for the rate), following otelcol's computeHash and hashingSampler.
t.test('otelcol hash vectors', async (t) => {
  t.equal(computeHash(bytes(ID_A), 0), 0xdf241a25);
  t.equal(computeHash(bytes(ID_B), 0), 0x245dd6df);
  t.equal(computeHash(bytes(ID_A), 0x12345678), 0xb6e86af5);
  t.equal(computeHash(bytes(ID_B), 0x12345678), 0x352dec4f);
  t.equal(computeHash(bytes(ID_A), 1), 0x067347d4);
  const rates: Array<[number, number]> = [[25, 4096], [50, 8192], [33.3, 5455], [0.01, 1], [99.99, 16382], [100, 16384], [1, 163], [0.006, 0], [150, 16384]];
  for (const [pct, rate] of rates) t.equal(scaledSamplingRate(pct), rate, `${pct} % → ${rate} of 16384 buckets`);
  // Buckets: A seed 0 → 6693, B seed 0 → 5855, A seed 0x12345678 → 10997, A seed 1 → 2004.
  t.same(await kept({ sampling_percentage: 40 }, spansPayload([ID_A, ID_B])), [ID_B], '40 % (6553): A (6693) out, B (5855) in');
  t.same(await kept({ sampling_percentage: 50 }, spansPayload([ID_A, ID_B])), [ID_A, ID_B]);
  t.same(await kept({ sampling_percentage: 33.3 }, spansPayload([ID_A, ID_B])), []);
  t.same(await kept({ sampling_percentage: 50, hash_seed: 0x12345678 }, spansPayload([ID_A])), [], 'seed 0x12345678: 10997 ≥ 8192');
  t.same(await kept({ sampling_percentage: 75, hash_seed: 0x12345678 }, spansPayload([ID_A])), [ID_A], '10997 < 12288');
  t.same(await kept({ sampling_percentage: 12.5, hash_seed: 1 }, spansPayload([ID_A])), [ID_A], 'seed 1: 2004 < 2048');
  t.same(await kept({ sampling_percentage: 12, hash_seed: 1 }, spansPayload([ID_A])), [], '2004 ≥ 1966');
});

t.test('0 % drops everything, 100 % passes the payload untouched', async (t) => {
  const payload = spansPayload(Array.from({ length: 200 }, randomTraceId));
  const none = sampler({ sampling_percentage: 0 });
  await none.p.consume(payload);
  t.equal(none.next.received.length, 0, 'nothing passed on');
  const all = sampler({ sampling_percentage: 100 });
  await all.p.consume(payload);
  t.equal(all.next.received[0], payload, 'the very same payload');
});

t.test('25 % keeps 25 ± 3 % of 20 000 random traces', async (t) => {
  const { p, next } = sampler({ sampling_percentage: 25, hash_seed: 7 });
  for (let i = 0; i < 10; i++) await p.consume(spansPayload(Array.from({ length: 2000 }, randomTraceId)));
  const share = next.items / 20_000;
  t.ok(share > 0.22 && share < 0.28, `kept ${(share * 100).toFixed(2)} %`);
});

t.test('every span of a trace gets the same decision, on every instance', async (t) => {
  const traces = Array.from({ length: 300 }, randomTraceId);
  const spans = [...traces, ...traces, ...traces]; // three spans per trace, interleaved
  const one = await kept({ sampling_percentage: 30, hash_seed: 99 }, spansPayload(spans));
  const other = await kept({ sampling_percentage: 30, hash_seed: 99 }, spansPayload([...spans].reverse()));
  const keptOne = new Set(one);
  t.ok(keptOne.size > 30 && keptOne.size < 150, `some but not all traces kept (${keptOne.size})`);
  t.equal(one.length, keptOne.size * 3, 'all three spans of each kept trace');
  t.same([...new Set(other)].sort(), [...keptOne].sort(), 'another instance keeps the same traces');
  const fresh = new TraceIdSampler(30, 99);
  t.ok(traces.every((id) => fresh.sampled(bytes(id)) === keptOne.has(id)), 'decision is a pure function of the id');
  const reseeded = await kept({ sampling_percentage: 30, hash_seed: 100 }, spansPayload(spans));
  t.not([...new Set(reseeded)].sort().join(), [...keptOne].sort().join(), 'another seed decides differently');
});

t.test('log records are sampled by trace id; records without one are kept', async (t) => {
  const { p, next } = sampler({ sampling_percentage: 40 }, 'logs');
  await p.consume(logsPayload([ID_A, undefined, ID_B, ID_A]));
  t.equal(next.items, 2);
  t.same(logBodies(next.received[0]!), ['l1', 'l2'], 'A (bucket 6693) dropped at 40 %, B kept, the one without trace id kept');
  const none = sampler({ sampling_percentage: 0 }, 'logs');
  await none.p.consume(logsPayload([ID_A, ID_B]));
  t.equal(none.next.received.length, 0);
});

t.test('metrics are not supported, as in otelcol', async (t) => {
  t.notOk('metrics' in factory.stability);
  t.throws(() => factory.create(testSettings('probabilistic_sampler'), factory.createDefaultConfig(), 'metrics', new RecordingConsumer()));
});
