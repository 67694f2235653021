/**
 * Writes attributes onto chosen log records of a logs request, on the protobuf bytes: every other
 * field (resources, scopes, other records, unknown fields) is copied as it is, and an attribute
 * of the same key already on the record is replaced, so a record routed twice carries one answer.
 */
import { Payload } from '../../pdata/payload.js';
import { writeAttributes, type AttributesInput } from '../../pdata/build-common.js';
import { Reader, Writer, utf8 } from '../../pdata/wire.js';

/** What to add to the record with this document-order index (among all log records); undefined: nothing. */
export type Annotation = (index: number) => AttributesInput | undefined;

/** The request with `annotate`'s attributes on its records; the same payload when nothing is added. */
export function annotateRecords(payload: Payload, annotate: Annotation): Payload {
  const w = new Writer(payload.bytes.length + 64 * payload.itemCount + 64);
  let index = 0;
  let changed = false;
  const record = (b: Uint8Array, start: number, end: number): void => {
    const extra = annotate(index++);
    if (!extra) {
      w.raw(b.subarray(start, end));
      return;
    }
    changed = true;
    const replaced = new Set(Object.keys(extra));
    copyFields(w, b, start, end, (no, s, e) => no === 6 && replaced.has(attributeKey(b, s, e)) ? 'drop' : 'copy');
    writeAttributes(w, 6, extra);
  };
  // request → ResourceLogs (1) → ScopeLogs (2) → LogRecord (2)
  copyFields(w, payload.bytes, 0, payload.bytes.length, (no) => no === 1 ? (b, s, e) =>
    copyFields(w, b, s, e, (n2) => n2 === 2 ? (b2, s2, e2) =>
      copyFields(w, b2, s2, e2, (n3) => n3 === 2 ? record : 'copy') : 'copy') : 'copy');
  return changed ? new Payload('logs', w.finish(), payload.itemCount) : payload;
}

/** Per field: copy it, drop it, or write its content through a function (a nested message). */
type FieldAction = 'copy' | 'drop' | ((b: Uint8Array, start: number, end: number) => void);

/** Copies the fields of the message at b[start, end) as `action` says, rewriting nested lengths. */
function copyFields(w: Writer, b: Uint8Array, start: number, end: number, action: (no: number, start: number, end: number) => FieldAction): void {
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const from = r.pos;
    const tag = r.uint32();
    if ((tag & 7) !== 2) {
      r.skip(tag & 7);
      w.raw(b.subarray(from, r.pos));
      continue;
    }
    const len = r.length();
    const s = r.pos;
    r.pos += len;
    const what = action(tag >>> 3, s, s + len);
    if (what === 'drop') continue;
    if (what === 'copy') {
      w.raw(b.subarray(from, r.pos));
      continue;
    }
    w.uint32(tag);
    const at = w.beginLength();
    what(b, s, s + len);
    w.endLength(at);
  }
}

/** The key of a KeyValue message (field 1). */
function attributeKey(b: Uint8Array, start: number, end: number): string {
  const r = new Reader(b, start, end);
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) {
      const n = r.length();
      return utf8(b, r.pos, r.pos + n);
    }
    r.skip(tag & 7);
  }
  return '';
}
