/** Each policy type on small traces, with otelcol's semantics (facts read from its source and tests). */
import fc from 'fast-check';
import t from 'tap';
import { configSchema } from './config.js';
import { buildPolicies, decide } from './decide.js';
import { hashTraceId, ProbabilisticHash, thresholdFor } from './hash.js';
import { evaluatorOf, millisBetween, type Decision } from './policies.js';
import { parseTraceState } from './trace-state.js';
import { traceData, traceIdHex, tracePayload, type SpanSpec } from './test-traces.js';

/** The decision of one policy (given as YAML-ish object) on one trace. */
function verdict(policy: Record<string, unknown>, spans: SpanSpec[], resource?: Record<string, string | number | bigint | boolean>, nowMs = 0): Decision {
  const config = configSchema.parse({ policies: [{ name: 'p', ...policy }] });
  const id = traceIdHex(1);
  return evaluatorOf(config.policies[0]!)(traceData(id, [tracePayload(id, spans, resource)], nowMs));
}

t.test('always_sample', async (t) => {
  t.equal(verdict({ type: 'always_sample' }, [{}]), 'sampled');
});

t.test('latency: the trace from first start to last end, at least threshold_ms; with an upper bound, (threshold, upper]', async (t) => {
  const latency = (c: Record<string, number>, spans: SpanSpec[]) => verdict({ type: 'latency', latency: c }, spans);
  t.equal(latency({ threshold_ms: 500 }, [{ start: 0, end: 100 }, { start: 300, end: 500 }]), 'sampled', 'two spans together reach 500 ms');
  t.equal(latency({ threshold_ms: 500 }, [{ start: 0, end: 499 }]), 'not_sampled');
  t.equal(latency({ threshold_ms: 500, upper_threshold_ms: 1000 }, [{ start: 0, end: 500 }]), 'not_sampled', 'the lower bound is exclusive with an upper bound');
  t.equal(latency({ threshold_ms: 500, upper_threshold_ms: 1000 }, [{ start: 0, end: 1000 }]), 'sampled');
  t.equal(latency({ threshold_ms: 500, upper_threshold_ms: 1000 }, [{ start: 0, end: 1001 }]), 'not_sampled');
  t.equal(latency({ threshold_ms: 500, upper_threshold_ms: 1000 }, [{ start: 0, end: 700 }, { start: 0, end: 2000 }]), 'sampled',
    'otelcol asks span by span as the range widens: a prefix inside the bounds samples');
});

t.test('numeric_attribute: ints in [min, max] on a span or the resource; a double is not an int; invert_match', async (t) => {
  const numeric = (c: Record<string, unknown>, spans: SpanSpec[], resource?: Record<string, string | number | bigint | boolean>) => verdict({ type: 'numeric_attribute', numeric_attribute: { key: 'code', ...c } }, spans, resource);
  t.equal(numeric({ min_value: 500, max_value: 599 }, [{}, { attributes: { code: 503n } }]), 'sampled');
  t.equal(numeric({ min_value: 500, max_value: 599 }, [{ attributes: { code: 200n } }]), 'not_sampled');
  t.equal(numeric({ min_value: 500, max_value: 599 }, [{}], { code: 500n }), 'sampled', 'resource attributes count');
  t.equal(numeric({ min_value: 500, max_value: 599 }, [{ attributes: { code: 503.0 } }]), 'not_sampled', 'pcommon reads a double as int 0');
  t.equal(numeric({ min_value: 500 }, [{ attributes: { code: 10_000_000_000n } }]), 'sampled', 'no max_value: up to int64 max');
  t.equal(numeric({ min_value: 500, max_value: 599, invert_match: true }, [{ attributes: { code: 200n } }, {}]), 'sampled', 'inverted: no span in range');
  t.equal(numeric({ min_value: 500, max_value: 599, invert_match: true }, [{ attributes: { code: 200n } }, { attributes: { code: 503n } }]), 'not_sampled');
});

t.test('string_attribute: exact values, regexes (Go inline flags too), empty span values skipped, invert_match', async (t) => {
  const str = (c: Record<string, unknown>, spans: SpanSpec[], resource?: Record<string, string | number | bigint | boolean>) => verdict({ type: 'string_attribute', string_attribute: { key: 'route', ...c } }, spans, resource);
  t.equal(str({ values: ['/a', '/b'] }, [{ attributes: { route: '/b' } }]), 'sampled');
  t.equal(str({ values: ['/a'] }, [{ attributes: { route: '/ab' } }]), 'not_sampled', 'exact match');
  t.equal(str({ values: ['^/a'], enabled_regex_matching: true }, [{ attributes: { route: '/ab' } }]), 'sampled');
  t.equal(str({ values: ['(?i)^/ADMIN'], enabled_regex_matching: true }, [{ attributes: { route: '/admin/x' } }]), 'sampled');
  t.equal(str({ values: ['/a'] }, [{}], { route: '/a' }), 'sampled', 'resource attributes count');
  t.equal(str({ values: ['.*'], enabled_regex_matching: true }, [{ attributes: { route: '' } }]), 'not_sampled', 'an empty span value is skipped');
  t.equal(str({ values: ['5'] }, [{ attributes: { route: 5n } }]), 'not_sampled', 'an int is not a string');
  t.equal(str({ values: ['/health'], invert_match: true }, [{ attributes: { route: '/cart' } }, {}]), 'sampled', 'inverted: nothing matches');
  t.equal(str({ values: ['/health'], invert_match: true }, [{ attributes: { route: '/cart' } }, { attributes: { route: '/health' } }]), 'not_sampled');
  t.equal(str({ values: ['/health'], invert_match: true }, [{}], { route: '/health' }), 'not_sampled', 'inverted: on the resource too');
});

t.test('status_code', async (t) => {
  t.equal(verdict({ type: 'status_code', status_code: { status_codes: ['ERROR'] } }, [{ status: 1 }, { status: 2 }]), 'sampled');
  t.equal(verdict({ type: 'status_code', status_code: { status_codes: ['ERROR'] } }, [{ status: 1 }, { status: 0 }]), 'not_sampled');
  t.equal(verdict({ type: 'status_code', status_code: { status_codes: ['UNSET', 'OK'] } }, [{ status: 0 }]), 'sampled');
});

t.test('boolean_attribute and invert_match', async (t) => {
  t.equal(verdict({ type: 'boolean_attribute', boolean_attribute: { key: 'debug', value: true } }, [{}, { attributes: { debug: true } }]), 'sampled');
  t.equal(verdict({ type: 'boolean_attribute', boolean_attribute: { key: 'debug', value: true } }, [{ attributes: { debug: 'true' } }]), 'not_sampled', 'a string is not a bool');
  t.equal(verdict({ type: 'boolean_attribute', boolean_attribute: { key: 'debug', value: true, invert_match: true } }, [{ attributes: { debug: false } }, {}]), 'sampled');
  t.equal(verdict({ type: 'boolean_attribute', boolean_attribute: { key: 'debug', value: true, invert_match: true } }, [{ attributes: { debug: true } }]), 'not_sampled');
});

t.test('span_count: at least min_spans, at most max_spans when set', async (t) => {
  t.equal(verdict({ type: 'span_count', span_count: { min_spans: 2 } }, [{}, {}]), 'sampled');
  t.equal(verdict({ type: 'span_count', span_count: { min_spans: 3 } }, [{}, {}]), 'not_sampled');
  t.equal(verdict({ type: 'span_count', span_count: { min_spans: 1, max_spans: 1 } }, [{}, {}]), 'not_sampled');
});

t.test('trace_state: the key\'s value in a valid W3C tracestate', async (t) => {
  t.equal(verdict({ type: 'trace_state', trace_state: { key: 'vendor', values: ['keep'] } }, [{ traceState: 'other=1, vendor=keep' }]), 'sampled');
  t.equal(verdict({ type: 'trace_state', trace_state: { key: 'vendor', values: ['keep'] } }, [{ traceState: 'vendor=drop' }]), 'not_sampled');
  t.equal(verdict({ type: 'trace_state', trace_state: { key: 'vendor', values: ['keep'] } }, [{ traceState: 'vendor=keep,Bad Key=1' }]), 'not_sampled', 'an invalid header matches nothing');
  t.same(parseTraceState('a=1,,b@t=2'), new Map([['a', '1'], ['b@t', '2']]));
  t.equal(parseTraceState('a=1,a=2'), undefined, 'duplicate keys are invalid');
});

t.test('trace_flags: a span with the sampled flag', async (t) => {
  t.equal(verdict({ type: 'trace_flags' }, [{ flags: 0 }, { flags: 1 }]), 'sampled');
  t.equal(verdict({ type: 'trace_flags' }, [{ flags: 0 }]), 'not_sampled');
});

t.test('probabilistic: otelcol\'s FNV-1a 64 over salt and trace id, and its big.Float threshold (values computed with Go)', async (t) => {
  const id = (i: number) => Uint8Array.from({ length: 16 }, (_, j) => (i * 31 + j * 7) & 0xff);
  t.equal(hashTraceId('default-hash-seed', id(0)), 15709387646407115421n);
  t.equal(hashTraceId('default-hash-seed', id(1)), 5201861538132416285n);
  t.equal(hashTraceId('custom-salt', id(2)), 5182593349207024245n);
  const expected: Array<[number, bigint]> = [[0.1, 18446744073709551n], [10, 1844674407370955263n], [33.3, 6142765776545279999n], [50, 9223372036854775807n],
    [99.99, 18444899399302178815n], [100, 18446744073709551615n], [1e-7, 18446744073n]];
  for (const [pct, threshold] of expected) t.equal(thresholdFor(pct), threshold, `${pct} %`);
  t.equal(new ProbabilisticHash('', 30).sampled(id(1)), true, '5.2e18 <= 30 % of 2^64');
  t.equal(new ProbabilisticHash('', 25).sampled(id(1)), false);
  const kept = Array.from({ length: 2000 }, (_, i) => new ProbabilisticHash('s', 10).sampled(Uint8Array.from(Buffer.from(traceIdHex(i * 7919 + 1), 'hex')))).filter(Boolean).length;
  t.ok(kept > 120 && kept < 280, `about 10 % kept (${kept} of 2000)`);
});

t.test('latency: whole milliseconds between two uint64 nanosecond times, as int64 division in Go', async (t) => {
  const halves = (n: bigint): [number, number] => [Number(n >> 32n), Number(n & 0xffffffffn)];
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: -(1n << 55n), max: 1n << 55n }), (a, delta) => {
    const b = BigInt.asUintN(64, a + delta);
    const [aHi, aLo] = halves(a);
    const [bHi, bLo] = halves(b);
    return millisBetween(aHi, aLo, bHi, bLo) === Number((b - a) / 1_000_000n);
  }), { numRuns: 5000 });
  const at = 1_764_300_000_000_000_000n;
  for (const d of [0n, 999_999n, 1_000_000n, 499_999_999n, 500_000_000n, -1n, -1_000_000n, -1_500_000n]) {
    const [aHi, aLo] = halves(at);
    const [bHi, bLo] = halves(at + d);
    t.equal(millisBetween(aHi, aLo, bHi, bLo), Number(d / 1_000_000n), `${d} ns`);
  }
});

t.test('probabilistic: the 32-bit-halves hash decides as the BigInt definition, at every threshold', async (t) => {
  fc.assert(fc.property(fc.string(), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.double({ min: 0, max: 100, noNaN: true }), (salt, traceId, pct) => {
    const reference = hashTraceId(salt === '' ? 'default-hash-seed' : salt, traceId) <= thresholdFor(pct);
    return new ProbabilisticHash(salt, pct).sampled(traceId) === reference;
  }), { numRuns: 2000 });
  // Near the threshold: a percentage a millionth below this id's hash does not keep it; 100 % does.
  const id = Uint8Array.from({ length: 16 }, (_, j) => j * 13);
  const h = hashTraceId('default-hash-seed', id);
  const exact = Number(h) / 2 ** 64 * 100;
  t.equal(new ProbabilisticHash('', 100).sampled(id), true);
  t.equal(new ProbabilisticHash('', exact * 0.999999).sampled(id), false);
});

t.test('rate_limiting and bytes_limiting: a token bucket that starts full (burst, default twice the rate)', async (t) => {
  const config = configSchema.parse({ policies: [{ name: 'r', type: 'rate_limiting', rate_limiting: { spans_per_second: 2 } }] });
  const limit = evaluatorOf(config.policies[0]!);
  const id = traceIdHex(1);
  const two = traceData(id, [tracePayload(id, [{}, {}])], 1000);
  t.same([limit(two), limit(two), limit({ ...two, nowMs: 1500 }), limit({ ...two, nowMs: 2000 })], ['sampled', 'sampled', 'not_sampled', 'sampled']);
  const bytes = evaluatorOf(configSchema.parse({ policies: [{ name: 'b', type: 'bytes_limiting', bytes_limiting: { bytes_per_second: 10 } }] }).policies[0]!);
  t.equal(bytes(two), 'not_sampled', 'a trace larger than the burst never passes');
});

t.test('and, not, drop, composite', async (t) => {
  const sub = (name: string, route: string) => ({ name, type: 'string_attribute', string_attribute: { key: 'route', values: [route] } });
  const spans: SpanSpec[] = [{ attributes: { route: '/a' } }, { status: 2 }];
  t.equal(verdict({ type: 'and', and: { and_sub_policy: [sub('a', '/a'), { name: 's', type: 'status_code', status_code: { status_codes: ['ERROR'] } }] } }, spans), 'sampled');
  t.equal(verdict({ type: 'and', and: { and_sub_policy: [sub('a', '/a'), sub('b', '/b')] } }, spans), 'not_sampled');
  t.equal(verdict({ type: 'and', and: { and_sub_policy: [sub('a', '/a'), { name: 'n', type: 'not', not: { not_sub_policy: sub('b', '/b') } }] } }, spans), 'sampled');
  t.equal(verdict({ type: 'not', not: { not_sub_policy: sub('a', '/a') } }, spans), 'not_sampled');
  t.equal(verdict({ type: 'drop', drop: { drop_sub_policy: [sub('a', '/a')] } }, spans), 'dropped');
  t.equal(verdict({ type: 'drop', drop: { drop_sub_policy: [sub('b', '/b')] } }, spans), 'not_sampled');
  const composite = { type: 'composite', composite: {
    max_total_spans_per_second: 4, policy_order: ['x', 'y'],
    composite_sub_policy: [sub('x', '/a'), { name: 'y', type: 'always_sample' }],
    rate_allocation: [{ policy: 'x', percent: 50 }, { policy: 'y', percent: 50 }],
  } };
  const config = configSchema.parse({ policies: [{ name: 'c', ...composite }] });
  const c = evaluatorOf(config.policies[0]!);
  const id = traceIdHex(2);
  const trace = traceData(id, [tracePayload(id, spans)], 5000);
  t.same([c(trace), c(trace)], ['sampled', 'not_sampled'], 'x may sample 2 spans a second; the second trace is over, and y is not asked');
  t.equal(c({ ...trace, nowMs: 6000 }), 'sampled', 'a new second, a new budget');
});

t.test('which decision wins: drop first, then any sampled; sample_on_first_match stops at the first', async (t) => {
  const config = configSchema.parse({ policies: [
    { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
    { name: 'all', type: 'always_sample' },
    { name: 'no-health', type: 'drop', drop: { drop_sub_policy: [{ name: 'h', type: 'string_attribute', string_attribute: { key: 'route', values: ['/health'] } }] } },
  ] });
  const policies = buildPolicies(config.policies);
  t.same(policies.map((p) => p.name), ['no-health', 'errors', 'all'], 'drop policies are evaluated first');
  const id = traceIdHex(3);
  const health = traceData(id, [tracePayload(id, [{ status: 2, attributes: { route: '/health' } }])]);
  t.same(decide(policies, health, false), { decision: 'dropped', policy: 'no-health', answers: [{ policy: 'no-health', decision: 'dropped' }] });
  const error = traceData(id, [tracePayload(id, [{ status: 2 }])]);
  const all = decide(policies, error, false);
  t.same([all.decision, all.policy, all.answers.length], ['sampled', 'errors', 3]);
  const first = decide(policies, error, true);
  t.same([first.decision, first.answers.length], ['sampled', 2], 'stops at the first sampled');
  t.equal(decide([], error, false).decision, 'not_sampled', 'no policy samples: not sampled');
});
