/** The wanted-fields span reader agrees with the detailed view field by field, and reads nothing it was not asked for. */
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import t from 'tap';
import { makeRealisticTraceRequest } from './bench.js';
import { decodeProtobuf } from './decode.js';
import { maxEventTime } from './event-time.js';
import { Payload } from './payload.js';
import { forEachSpanDetailed } from './span-detail.js';
import { forEachSpanFields, SpanField } from './span-fields.js';
import { statusCode } from './trace-index.js';
import { makeSdkSpans } from './test-fixtures.js';

const ALL = Object.values(SpanField).reduce((a, b) => a | b, 0);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const TWO32 = 2n ** 32n;

function payloads(): Payload[] {
  return [
    decodeProtobuf('traces', ProtobufTraceSerializer.serializeRequest(makeSdkSpans(9))!).payload!,
    new Payload('traces', makeRealisticTraceRequest(64), 64),
  ];
}

t.test('every field equals the detailed view, span by span', async (t) => {
  for (const payload of payloads()) {
    const detailed: unknown[] = [];
    forEachSpanDetailed(payload, (s) => {
      detailed.push({
        resource: s.resource, serviceName: s.serviceName ?? '', scopeName: s.scopeName, scopeVersion: s.scopeVersion,
        traceId: hex(s.traceId), spanId: hex(s.spanId), name: s.name, kind: s.kind, start: s.startTimeUnixNano, end: s.endTimeUnixNano,
        durationNanos: s.endTimeUnixNano > s.startTimeUnixNano ? Number(s.endTimeUnixNano - s.startTimeUnixNano) : 0,
        statusCode: s.statusCode, traceState: s.traceState, isRoot: s.parentSpanId.every((x) => x === 0), flags: s.flags, attributes: { ...s.attributes },
      });
    });
    const read: unknown[] = [];
    forEachSpanFields(payload, ALL, (s) => {
      read.push({
        resource: s.resource, serviceName: s.serviceName, scopeName: s.scopeName, scopeVersion: s.scopeVersion,
        traceId: hex(s.traceId), spanId: hex(s.spanId), name: s.name, kind: s.kind,
        start: BigInt(s.startHi) * TWO32 + BigInt(s.startLo), end: BigInt(s.endHi) * TWO32 + BigInt(s.endLo), durationNanos: s.durationNanos,
        statusCode: s.statusCode, traceState: s.traceState, isRoot: s.isRoot, flags: s.flags, attributes: { ...s.attributes },
      });
      t.ok(s.start < s.end && s.resourceStart < s.start && s.end <= s.resourceEnd, 'the span lies in its resource');
    });
    t.ok(read.length > 0);
    t.same(read, detailed);
  }
});

t.test('fields not asked for keep their empty values', async (t) => {
  const [payload] = payloads();
  let n = 0;
  forEachSpanFields(payload!, SpanField.name, (s) => {
    n++;
    t.not(s.name, '');
    t.same([s.traceId.length, s.spanId.length, s.kind, s.startLo, s.endHi, s.durationNanos, s.statusCode, s.traceState, s.isRoot, s.flags, s.serviceName],
      [0, 0, 0, 0, 0, 0, 0, '', true, 0, '']);
    t.same(s.attributes, {});
    t.same(s.resource, {});
  });
  t.equal(n, 9);
});

t.test('statusCode reads field 3 past a message, and puts a given reader back', async (t) => {
  const status = Uint8Array.from([0x12, 0x02, 0x6f, 0x6b, 0x18, 0x02]); // message "ok", code 2
  t.equal(statusCode(status, 0, status.length), 2);
  t.equal(statusCode(status, 0, 4), 0, 'no code: unset');
});

t.test('a walk with times tells maxEventTime the latest span end; one without, nothing', async (t) => {
  for (const payload of payloads()) {
    const walked = maxEventTime(new Payload('traces', payload.bytes, payload.itemCount));
    t.ok(walked > 0n);
    const timed = new Payload('traces', Uint8Array.from(payload.bytes), payload.itemCount);
    let latest = 0n;
    forEachSpanFields(timed, SpanField.times, (s) => { const end = BigInt(s.endHi) * TWO32 + BigInt(s.endLo); if (end > latest) latest = end; });
    t.equal(latest, walked);
    timed.bytes.fill(0); // components never do this; here it proves the answer is the remembered one
    t.equal(maxEventTime(timed), walked, 'the remembered latest end, not a new walk');
    // A walk without times remembers nothing: a forged zero end would show here.
    const untimed = new Payload('traces', payload.bytes, payload.itemCount);
    forEachSpanFields(untimed, SpanField.name, () => {});
    t.equal(maxEventTime(untimed), walked);
  }
});
