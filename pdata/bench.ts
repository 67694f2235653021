/** A realistic trace request and the codec's single-core throughput on it, for the project benchmark. */
import { decodeProtobuf } from './decode.js';
import { toJson } from './json-write.js';
import { groupByPartition } from './partition.js';
import { Payload } from './payload.js';
import { splitByKey } from './records.js';
import { Writer } from './wire.js';

type Attr = [key: string, value: string | number | boolean | bigint];

/** Writes field `no` as a nested message whose content `body` writes. */
function nested(w: Writer, no: number, body: () => void): void {
  w.tag(no, 2);
  const at = w.beginLength();
  body();
  w.endLength(at);
}

function attribute(w: Writer, no: number, [key, value]: Attr): void {
  nested(w, no, () => {
    w.tag(1, 2);
    w.string(key);
    nested(w, 2, () => {
      if (typeof value === 'string') { w.tag(1, 2); w.string(value); }
      else if (typeof value === 'boolean') { w.tag(2, 0); w.uint32(value ? 1 : 0); }
      else if (typeof value === 'bigint') { w.tag(3, 0); w.varint64(Number(value & 0xffffffffn), Number(value >> 32n)); }
      else { w.tag(4, 1); w.double(value); }
    });
  });
}

function fixed64(w: Writer, no: number, v: bigint): void {
  w.tag(no, 1);
  w.fixed64(Number(v & 0xffffffffn), Number(v >> 32n));
}

const RESOURCE: Attr[] = [
  ['service.name', 'checkout'], ['service.version', '1.4.2'], ['service.instance.id', '7f3c9a2e-1b44-4c1e-9f0a-2d5e8b6c4a10'],
  ['deployment.environment', 'production'], ['host.name', 'ip-10-0-12-34.eu-west-1.compute.internal'],
  ['process.pid', 4242n], ['telemetry.sdk.language', 'nodejs'], ['telemetry.sdk.version', '2.12.1'],
];

/** An ExportTraceServiceRequest of `spans` spans: traces of 8 spans, 10 mixed attributes and 2 events each. */
export function makeRealisticTraceRequest(spans = 512): Uint8Array {
  const w = new Writer(spans * 700);
  const t0 = 1700000000123456789n;
  nested(w, 1, () => {
    nested(w, 1, () => { for (const a of RESOURCE) attribute(w, 1, a); });
    nested(w, 2, () => {
      nested(w, 1, () => { w.tag(1, 2); w.string('@opentelemetry/instrumentation-http'); w.tag(2, 2); w.string('0.52.1'); });
      for (let i = 0; i < spans; i++) {
        const trace = Math.floor(i / 8);
        const traceId = Buffer.alloc(16);
        traceId.writeUInt32BE(0x5b8efff7, 0);
        traceId.writeUInt32BE(trace + 1, 12);
        const spanId = Buffer.alloc(8);
        spanId.writeUInt32BE(0xeee19b7e, 0);
        spanId.writeUInt32BE(i + 1, 4);
        const start = t0 + BigInt(i) * 1_000_000n;
        nested(w, 2, () => {
          w.tag(1, 2); w.bytes(traceId);
          w.tag(2, 2); w.bytes(spanId);
          if (i % 8 !== 0) { const parent = Buffer.from(spanId); parent.writeUInt32BE(i - (i % 8) + 1, 4); w.tag(4, 2); w.bytes(parent); }
          w.tag(5, 2); w.string(i % 8 === 0 ? 'GET /api/v1/cart/{id}' : `SELECT orders.items ${i % 8}`);
          w.tag(6, 0); w.uint32(i % 8 === 0 ? 2 : 3);
          fixed64(w, 7, start);
          fixed64(w, 8, start + 1_234_567n);
          const attrs: Attr[] = [
            ['http.request.method', 'GET'], ['http.response.status_code', 200n], ['url.path', `/api/v1/cart/${i}`],
            ['server.address', 'checkout.internal'], ['server.port', 8080n], ['network.protocol.version', '1.1'],
            ['user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64)'], ['http.route', '/api/v1/cart/{id}'],
            ['cache.hit', i % 3 === 0], ['load.ratio', 0.25 + i / 1000],
          ];
          for (const a of attrs) attribute(w, 9, a);
          for (let e = 0; e < 2; e++) {
            nested(w, 11, () => {
              fixed64(w, 1, start + BigInt(e + 1) * 100_000n);
              w.tag(2, 2); w.string(e === 0 ? 'cache.lookup' : 'db.query.done');
              attribute(w, 3, ['event.seq', BigInt(e)]);
            });
          }
          nested(w, 15, () => { w.tag(3, 0); w.uint32(1); });
        });
      }
    });
  });
  return w.finish();
}

function rate(spans: number, fn: () => void, minMs = 400): number {
  for (let i = 0; i < 20; i++) fn();
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return Math.round((runs * spans) / (elapsed / 1000));
}

/** Spans per second on this core: validate (decodeProtobuf), toJson, splitByKey, for 512-span requests. */
export function measureDecode(): { decodeSpansPerSec: number; toJsonSpansPerSec: number; splitSpansPerSec: number } {
  const spans = 512;
  const bytes = makeRealisticTraceRequest(spans);
  const payload = new Payload('traces', bytes, spans);
  return {
    decodeSpansPerSec: rate(spans, () => decodeProtobuf('traces', bytes)),
    toJsonSpansPerSec: rate(spans, () => toJson(payload)),
    splitSpansPerSec: rate(spans, () => splitByKey(payload)),
  };
}

/**
 * An ExportMetricsServiceRequest of 500 gauge points over 50 series: 2 resources of 5 attributes,
 * 5 metrics each, 5 point-attribute sets of 4 attributes, 10 points per series.
 */
export function makeRealisticMetricsRequest(): Uint8Array {
  const w = new Writer(64 * 1024);
  const t0 = 1700000000123456789n;
  for (let res = 0; res < 2; res++) {
    nested(w, 1, () => {
      nested(w, 1, () => { for (const a of RESOURCE.slice(0, 4)) attribute(w, 1, a); attribute(w, 1, ['k8s.pod.name', `checkout-${res}`]); });
      nested(w, 2, () => {
        nested(w, 1, () => { w.tag(1, 2); w.string('@opentelemetry/instrumentation-http'); });
        for (let m = 0; m < 5; m++) {
          nested(w, 2, () => {
            w.tag(1, 2); w.string(`http.server.metric_${m}`);
            w.tag(3, 2); w.string('ms');
            nested(w, 5, () => {
              for (let i = 0; i < 50; i++) {
                const set = i % 5;
                nested(w, 1, () => {
                  const attrs: Attr[] = [['http.request.method', 'GET'], ['http.route', `/api/v1/cart/${set}`],
                    ['http.response.status_code', BigInt(200 + set)], ['server.address', 'checkout.internal']];
                  for (const a of attrs) attribute(w, 7, a);
                  fixed64(w, 3, t0 + BigInt(i) * 1_000_000n);
                  w.tag(4, 1); w.double(i * 0.5);
                });
              }
            });
          });
        }
      });
    });
  }
  return w.finish();
}

/**
 * groupByPartition on 8 partitions, items per second on this core: metrics by series (the 500-point
 * request above) against traces by trace id (a 512-span request), the same harness for both.
 */
export function measurePartitionSplit(): { seriesPointsPerSec: number; traceSpansPerSec: number } {
  const metrics = new Payload('metrics', makeRealisticMetricsRequest(), 500);
  const traces = new Payload('traces', makeRealisticTraceRequest(512), 512);
  return {
    seriesPointsPerSec: rate(500, () => groupByPartition(metrics, 8, { by: 'series' })),
    traceSpansPerSec: rate(512, () => groupByPartition(traces, 8, { by: 'trace_id' })),
  };
}
