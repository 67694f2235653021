import t from 'tap';
import { forEachSpanDetailed } from '../../pdata/index.js';
import { forEachSpanFacts } from './span-facts.js';
import { makeTraffic, trafficPayload } from './traffic.test-helpers.js';

t.test('every field span_metrics reads equals pdata\'s detailed view, span by span', async (t) => {
  const payload = trafficPayload(makeTraffic(300, 7));
  const detailed: unknown[] = [];
  forEachSpanDetailed(payload, (s) => {
    detailed.push({
      resource: s.resource, serviceName: s.serviceName ?? '', scopeName: s.scopeName, scopeVersion: s.scopeVersion, name: s.name, kind: s.kind,
      statusCode: s.statusCode, traceState: s.traceState, attributes: { ...s.attributes }, traceId: Buffer.from(s.traceId).toString('hex'), spanId: Buffer.from(s.spanId).toString('hex'),
      durationNanos: s.endTimeUnixNano > s.startTimeUnixNano ? Number(s.endTimeUnixNano - s.startTimeUnixNano) : 0,
    });
  });
  const facts: unknown[] = [];
  forEachSpanFacts(payload, { attributes: true, ids: true }, (s) => {
    facts.push({ ...s, attributes: { ...s.attributes }, traceId: Buffer.from(s.traceId).toString('hex'), spanId: Buffer.from(s.spanId).toString('hex') });
  });
  t.equal(facts.length, 600);
  t.same(facts, detailed);
  t.ok(facts.some((f) => (f as { statusCode: number }).statusCode === 2), 'error statuses are read');
  t.ok(facts.some((f) => (f as { traceState: string }).traceState !== ''), 'trace states are read');
});

t.test('attributes and ids are left out unless asked for', async (t) => {
  const payload = trafficPayload(makeTraffic(20, 3));
  let n = 0;
  forEachSpanFacts(payload, { attributes: false, ids: false }, (s) => {
    n++;
    t.same(s.attributes, {});
    t.equal(s.traceId.length, 0);
    t.equal(s.spanId.length, 0);
    t.not(s.name, '');
  });
  t.equal(n, 40);
});
