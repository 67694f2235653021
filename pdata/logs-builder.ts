/**
 * Builds an ExportLogsServiceRequest from JavaScript values, for processors that emit OpenTelemetry
 * events (anomalies, alerts): log records with an event name, grouped by resource and scope.
 */
import {
  Grouping, fixed64, id, nested, string, varint, writeAnyValue, writeAttributes,
  type AttributeInput, type AttributesInput, type IdInput, type ScopeInput,
} from './build-common.js';
import { Payload } from './payload.js';
import { Writer } from './wire.js';

/** One log record or event. */
export interface LogRecordInput {
  /** OpenTelemetry event name (LogRecord field 12); leave out for a plain log. */
  readonly eventName?: string;
  readonly timeUnixNano: bigint;
  /** Defaults to timeUnixNano. */
  readonly observedTimeUnixNano?: bigint;
  /** SeverityNumber 1-24 (9 INFO, 13 WARN, 17 ERROR). */
  readonly severityNumber?: number;
  readonly severityText?: string;
  /** Any value: a string, a number, arrays, maps… */
  readonly body?: AttributeInput;
  readonly attributes?: AttributesInput;
  readonly traceId?: IdInput;
  readonly spanId?: IdInput;
  readonly flags?: number;
  readonly droppedAttributesCount?: number;
}

/** Adds records for one resource and scope (from LogsBuilder.scope). */
export class ScopeLogsBuilder {
  constructor(private readonly records: LogRecordInput[], private readonly onAdd: () => void) {}

  /** Adds one record. */
  add(record: LogRecordInput): this {
    this.records.push(record);
    this.onAdd();
    return this;
  }
}

/** Collects log records and writes them as one logs request. */
export class LogsBuilder {
  private readonly groups = new Grouping<LogRecordInput[]>(() => []);
  private count = 0;

  /** Records added so far. */
  get recordCount(): number { return this.count; }

  /** The builder for records under this resource and scope (the same one for equal resource attributes and scope). */
  scope(resource: AttributesInput, scope: ScopeInput): ScopeLogsBuilder {
    return new ScopeLogsBuilder(this.groups.get(resource, scope), () => { this.count++; });
  }

  /** The request as a logs Payload; null when no record was added. */
  build(): Payload | null {
    if (this.count === 0) return null;
    const w = new Writer(256 + this.count * 256);
    this.groups.write(w, (records) => {
      for (const r of records) nested(w, 2, () => writeRecord(w, r));
    });
    return new Payload('logs', w.finish(), this.count);
  }
}

function writeRecord(w: Writer, r: LogRecordInput): void {
  fixed64(w, 1, r.timeUnixNano);
  if (r.severityNumber) varint(w, 2, r.severityNumber);
  if (r.severityText) string(w, 3, r.severityText);
  if (r.body !== undefined) nested(w, 5, () => writeAnyValue(w, r.body));
  writeAttributes(w, 6, r.attributes);
  if (r.droppedAttributesCount) varint(w, 7, r.droppedAttributesCount);
  if (r.flags) { w.tag(8, 5); w.fixed32(r.flags); }
  id(w, 9, r.traceId, 16, 'trace id');
  id(w, 10, r.spanId, 8, 'span id');
  fixed64(w, 11, r.observedTimeUnixNano ?? r.timeUnixNano);
  if (r.eventName) string(w, 12, r.eventName);
}
