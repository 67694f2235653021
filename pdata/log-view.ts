/** A per-log-record view of a logs request, read straight from the protobuf bytes. */
import { readAnyValue, readKeyValue, type AttributeValue, type Attributes } from './any-value.js';
import { forEachScope, hex, type Envelope } from './envelope.js';
import type { Payload } from './payload.js';
import { eachField, Reader, uint64BigInt, utf8 } from './wire.js';

/** One log record with its resource and scope. Ids are lowercase hex ('' when absent). */
export interface LogRecordView extends Envelope {
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  /** SeverityNumber (0 unspecified, 1-24 TRACE..FATAL4). */
  readonly severityNumber: number;
  readonly severityText: string;
  /** The body as a JavaScript value (a string body is a string); null when absent. */
  readonly body: AttributeValue;
  readonly attributes: Attributes;
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: number;
  readonly droppedAttributesCount: number;
  /** OpenTelemetry event name (LogRecord field 12); '' for plain logs. */
  readonly eventName: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Calls `fn` for every log record of a logs payload, in order. */
export function forEachLogRecord(payload: Payload, fn: (record: LogRecordView) => void): void {
  if (payload.signal !== 'logs') return;
  forEachScope(payload, (env, b, start, end) => {
    eachField(b, start, end, 2, (ls, le) => fn(readLogRecord(env, b, ls, le)));
  });
}

function readLogRecord(env: Envelope, b: Uint8Array, start: number, end: number): LogRecordView {
  const v: Mutable<LogRecordView> = {
    // explicit, not a spread of env: a spread leaves V8 a slow object shape
    resource: env.resource, serviceName: env.serviceName, scopeName: env.scopeName, scopeVersion: env.scopeVersion, timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0, severityText: '', body: null, attributes: {},
    traceId: '', spanId: '', flags: 0, droppedAttributesCount: 0, eventName: '',
  };
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 0x09: r.fixed64(); v.timeUnixNano = uint64BigInt(r.lo, r.hi); break;
      case 0x59: r.fixed64(); v.observedTimeUnixNano = uint64BigInt(r.lo, r.hi); break;
      case 0x10: r.varint64(); v.severityNumber = r.lo; break;
      case 0x38: r.varint64(); v.droppedAttributesCount = r.lo; break;
      case 0x45: v.flags = r.fixed32(); break;
      case 0x1a: case 0x2a: case 0x32: case 0x4a: case 0x52: case 0x62: {
        const n = r.length();
        const s = r.pos;
        r.pos += n;
        if (tag === 0x1a) v.severityText = utf8(b, s, s + n);
        else if (tag === 0x2a) v.body = readAnyValue(b, s, s + n);
        else if (tag === 0x32) readKeyValue(v.attributes, b, s, s + n);
        else if (tag === 0x4a) v.traceId = hex(b, s, s + n);
        else if (tag === 0x52) v.spanId = hex(b, s, s + n);
        else v.eventName = utf8(b, s, s + n);
        break;
      }
      default: r.skip(tag & 7);
    }
  }
  return v;
}
