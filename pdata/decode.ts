/**
 * Structural validation of an OTLP export request in protobuf form. It walks the whole message
 * with an explicit stack (no recursion, so hostile nesting cannot overflow the call stack), checks
 * wire types, lengths and ids against the schema, counts the items, and rejects spans with
 * all-zero ids individually (OTLP partial success).
 */
import { InvalidInputError } from '../pipeline/errors.js';
import { Payload, type Signal } from './payload.js';
import { rebuildWithout } from './records.js';
import { Kind, MAX_ANY_DEPTH, REQUEST, WIRE_OF, message, type FieldDef, type MessageDef } from './schema.js';
import { Reader } from './wire.js';

/** What a decoder makes of a request: the payload to carry on (null when nothing is left) and what it rejected. */
export interface DecodeResult {
  payload: Payload | null;
  /** Items (spans, data points, log records) removed as invalid. */
  rejected: number;
  /** Why they were removed, for the partial-success response. */
  rejectMessage?: string;
}

/** Validates a protobuf export request; throws InvalidInputError when it is malformed. */
export function decodeProtobuf(signal: Signal, bytes: Uint8Array): DecodeResult {
  const v = new Validator(bytes);
  v.run(REQUEST[signal]);
  if (v.rejected.length === 0) {
    return { payload: v.items === 0 ? null : new Payload(signal, bytes, v.items), rejected: 0 };
  }
  const kept = v.items - v.rejected.length;
  const rejectMessage = `${v.rejected.length} span(s) rejected: trace_id and span_id must not be all zeros (first: ${v.firstRejected})`;
  if (kept === 0) return { payload: null, rejected: v.rejected.length, rejectMessage };
  const payload = rebuildWithout(new Payload(signal, bytes, v.items), v.rejected);
  return { payload, rejected: v.rejected.length, rejectMessage };
}

const KID_SLOTS = 17;
const KEY_VALUE = message('KeyValue');

/** One pass over the request; frames live in parallel arrays indexed by depth. */
class Validator {
  items = 0;
  /** Ordinals (document order) of rejected items. */
  readonly rejected: number[] = [];
  firstRejected = '';
  private readonly r: Reader;
  private readonly defs: MessageDef[] = [];
  private readonly ends: number[] = [];
  private readonly idx: number[] = [];
  private readonly any: number[] = [];
  private readonly seen: number[] = [];
  private readonly ordinal: number[] = [];
  private readonly zero: boolean[] = [];
  private kids = new Int32Array(KID_SLOTS * 64);
  private depth = -1;

  constructor(bytes: Uint8Array) {
    this.r = new Reader(bytes);
  }

  run(request: MessageDef): void {
    try {
      this.push(request, this.r.end, 0, 0);
      this.walk();
    } catch (err) {
      if (err instanceof InvalidInputError) {
        const where = this.path();
        throw new InvalidInputError(where ? `${where}: ${err.message}` : err.message);
      }
      throw err;
    }
  }

  private walk(): void {
    const r = this.r;
    for (;;) {
      const def = this.defs[this.depth]!;
      if (r.pos >= r.end) {
        this.pop(def);
        if (this.depth < 0) return;
        continue;
      }
      const tag = r.uint32();
      const no = tag >>> 3;
      const wire = tag & 7;
      if (no === 0) throw new InvalidInputError('field number 0');
      const f = def.fields[no];
      if (f === undefined) {
        r.skip(wire);
        continue;
      }
      if (f.kind === Kind.Message) {
        if (wire !== 2) throw wrongWire(f, wire, 2);
        const len = r.length();
        const msg = f.msg!;
        let index = 0;
        if (msg.label !== undefined && def.countsKids) index = this.kids[this.depth * KID_SLOTS + no]!++;
        const any = this.any[this.depth]! + (msg.anyValue ? 1 : 0);
        if (any > MAX_ANY_DEPTH) throw new InvalidInputError(`attribute nested deeper than ${MAX_ANY_DEPTH} levels`);
        // Most messages of a request are attributes of one scalar value: checked here without
        // two frames; any other layout, or an error, takes the frames (and their error paths).
        if (msg === KEY_VALUE && any < MAX_ANY_DEPTH && scalarAttribute(r.buf, r.pos, r.pos + len)) {
          r.pos += len;
          continue;
        }
        this.push(msg, r.pos + len, index, any);
        continue;
      }
      if (wire === 2 && f.packable) {
        this.packed(f, r.length());
        continue;
      }
      const want = WIRE_OF[f.kind]!;
      if (wire !== want) throw wrongWire(f, wire, want);
      this.scalar(f, def);
    }
  }

  private scalar(f: FieldDef, def: MessageDef): void {
    const r = this.r;
    switch (f.kind) {
      case Kind.String: { const len = r.length(); r.pos += len; return; }
      case Kind.Bytes: {
        const len = r.length();
        if (f.idLength !== 0) this.checkId(f, def, r.pos, len);
        r.pos += len;
        return;
      }
      case Kind.Fixed32: r.fixed32(); return;
      case Kind.Fixed64: case Kind.Sfixed64: r.fixed64(); return;
      case Kind.Double: r.double(); return;
      default: r.varint64();
    }
  }

  private checkId(f: FieldDef, def: MessageDef, at: number, len: number): void {
    if (len !== f.idLength && (f.idRequired || len !== 0)) {
      const rule = f.idRequired ? `${f.idLength} bytes` : `empty or ${f.idLength} bytes`;
      throw new InvalidInputError(`${f.name} must be ${rule}, got ${len}`);
    }
    this.seen[this.depth]! |= 1 << f.no;
    if (def.item && f.idRequired) {
      const b = this.r.buf;
      let allZero = true;
      for (let i = 0; i < len; i++) if (b[at + i] !== 0) { allZero = false; break; }
      if (allZero) this.zero[this.depth] = true;
    }
  }

  private packed(f: FieldDef, len: number): void {
    const r = this.r;
    const end = r.pos + len;
    const width = f.kind === Kind.Fixed64 || f.kind === Kind.Sfixed64 || f.kind === Kind.Double ? 8 : f.kind === Kind.Fixed32 ? 4 : 0;
    if (width !== 0) {
      if (len % width !== 0) throw new InvalidInputError(`packed ${f.name} length ${len} is not a multiple of ${width}`);
      r.pos = end;
      return;
    }
    const outer = r.end;
    r.end = end;
    while (r.pos < end) r.varint64();
    r.end = outer;
  }

  private push(def: MessageDef, end: number, index: number, any: number): void {
    const d = ++this.depth;
    this.defs[d] = def;
    this.ends[d] = end;
    this.idx[d] = index;
    this.any[d] = any;
    this.seen[d] = 0;
    this.zero[d] = false;
    this.ordinal[d] = def.item ? this.items++ : -1;
    if (def.countsKids) {
      if ((d + 1) * KID_SLOTS > this.kids.length) {
        const grown = new Int32Array(this.kids.length * 2);
        grown.set(this.kids);
        this.kids = grown;
      }
      this.kids.fill(0, d * KID_SLOTS, (d + 1) * KID_SLOTS);
    }
    this.r.end = end;
  }

  private pop(def: MessageDef): void {
    const d = this.depth;
    for (const f of def.requiredIds) {
      if ((this.seen[d]! & (1 << f.no)) === 0) throw new InvalidInputError(`${f.name} must be ${f.idLength} bytes, got 0`);
    }
    if (this.zero[d]) {
      if (this.rejected.length === 0) this.firstRejected = this.path();
      this.rejected.push(this.ordinal[d]!);
    }
    this.depth = d - 1;
    if (d > 0) this.r.end = this.ends[d - 1]!;
  }

  /** "attribute 2 of span 3 of scope 0 of resource 0" for the frames open now. */
  private path(): string {
    const parts: string[] = [];
    for (let d = this.depth; d > 0; d--) {
      const label = this.defs[d]!.label;
      if (label !== undefined) parts.push(`${label} ${this.idx[d]}`);
    }
    return parts.join(' of ');
  }
}

/**
 * Whether buf[start, end) is a valid KeyValue of exactly a non-empty key and an AnyValue of one
 * string, bool, int or double (lengths below 128): what the frames would accept, checked directly.
 */
function scalarAttribute(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 4 || b[start] !== 0x0a || b[start + 1]! >= 0x80) return false;
  const at = start + 2 + b[start + 1]!; // the value's tag
  if (at + 3 > end || b[at] !== 0x12 || b[at + 1]! >= 0x80 || at + 2 + b[at + 1]! !== end) return false;
  const v = at + 2; // the AnyValue's one field
  switch (b[v]) {
    case 0x0a: return b[v + 1]! < 0x80 && v + 2 + b[v + 1]! === end; // string_value
    case 0x21: return v + 9 === end; // double_value
    case 0x10: case 0x18: { // bool_value, int_value: one varint of at most 10 bytes, ending at end
      let p = v + 1;
      while (p < end - 1 && b[p]! >= 0x80) p++;
      return p === end - 1 && b[p]! < 0x80 && end - v - 1 <= 10;
    }
    default: return false;
  }
}

function wrongWire(f: FieldDef, got: number, want: number): InvalidInputError {
  return new InvalidInputError(`field ${f.no} (${f.name}) has wire type ${got}, expected ${want}`);
}
