/**
 * What the request builders share: JavaScript values written as AnyValue / KeyValue, ids, 64-bit
 * numbers, and the grouping of items under their resource and scope.
 */
import { InvalidInputError } from '../pipeline/errors.js';
import { canonicalAttributes, type Attributes } from './any-value.js';
import { type Writer } from './wire.js';

/** An attribute value to write: integers become int_value, other numbers double_value, bigints int_value, undefined is left out. */
export type AttributeInput = string | number | boolean | bigint | Uint8Array | null | undefined | readonly AttributeInput[] | { readonly [key: string]: AttributeInput };

/** Attributes to write. */
export type AttributesInput = { readonly [key: string]: AttributeInput };

/** The instrumentation scope items are emitted under. */
export interface ScopeInput {
  readonly name: string;
  readonly version?: string;
  readonly attributes?: AttributesInput;
  /** The scope_* message's schema_url. */
  readonly schemaUrl?: string;
}

/** An id as lowercase hex or bytes; its length is checked. */
export type IdInput = string | Uint8Array;

/** Writes field `no` as a nested message whose content `body` writes. */
export function nested(w: Writer, no: number, body: () => void): void {
  w.tag(no, 2);
  const at = w.beginLength();
  body();
  w.endLength(at);
}

/** lo/hi halves of a 64-bit integer (two's complement for negatives). */
export function halves(v: number | bigint): [lo: number, hi: number] {
  if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) return [v % 4294967296, Math.floor(v / 4294967296)];
  const u = BigInt.asUintN(64, BigInt(v));
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

/** A fixed64 field (also sfixed64, two's complement). */
export function fixed64(w: Writer, no: number, v: number | bigint): void {
  const [lo, hi] = halves(v);
  w.tag(no, 1);
  w.fixed64(lo, hi);
}

/** A double field. */
export function double(w: Writer, no: number, v: number): void {
  w.tag(no, 1);
  w.double(v);
}

/** A varint field of a small unsigned value (enums, flags, counts). */
export function varint(w: Writer, no: number, v: number): void {
  w.tag(no, 0);
  w.uint32(v);
}

/** A string field. */
export function string(w: Writer, no: number, s: string): void {
  w.tag(no, 2);
  w.string(s);
}

/** Every attribute as a KeyValue in field `no`; undefined values are left out. */
export function writeAttributes(w: Writer, no: number, attrs: AttributesInput | undefined): void {
  if (attrs === undefined) return;
  for (const key of Object.keys(attrs)) {
    const value = attrs[key];
    if (value === undefined) continue;
    nested(w, no, () => {
      string(w, 1, key);
      nested(w, 2, () => writeAnyValue(w, value));
    });
  }
}

/** The content of an AnyValue (null: empty). */
export function writeAnyValue(w: Writer, v: AttributeInput): void {
  if (v === null || v === undefined) return;
  if (typeof v === 'string') string(w, 1, v);
  else if (typeof v === 'boolean') varint(w, 2, v ? 1 : 0);
  else if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) { const [lo, hi] = halves(v); w.tag(3, 0); w.varint64(lo, hi); }
  else if (typeof v === 'number') double(w, 4, v);
  else if (v instanceof Uint8Array) { w.tag(7, 2); w.bytes(v); }
  else if (Array.isArray(v)) nested(w, 5, () => { for (const item of v as readonly AttributeInput[]) nested(w, 1, () => writeAnyValue(w, item)); });
  else nested(w, 6, () => writeAttributes(w, 1, v as AttributesInput));
}

/** An id of `length` bytes from hex or bytes; '' or empty means absent (undefined). */
export function idBytes(id: IdInput | undefined, length: number, what: string): Uint8Array | undefined {
  if (id === undefined || id.length === 0) return undefined;
  const bytes = typeof id === 'string' ? Buffer.from(id, 'hex') : id;
  if (bytes.length !== length || (typeof id === 'string' && id.length !== length * 2)) {
    throw new InvalidInputError(`${what} must be ${length} bytes (${length * 2} hex digits), got ${typeof id === 'string' ? JSON.stringify(id) : `${id.length} bytes`}`);
  }
  return bytes;
}

/** An id field when present. */
export function id(w: Writer, no: number, v: IdInput | undefined, length: number, what: string): void {
  const bytes = idBytes(v, length, what);
  if (bytes) { w.tag(no, 2); w.bytes(bytes); }
}

/** Items of type T grouped by resource (by attribute value, order-independent) and scope (name, version). */
export class Grouping<T> {
  private readonly resources = new Map<string, { attributes: AttributesInput; scopes: Map<string, { scope: ScopeInput; group: T }> }>();

  constructor(private readonly make: () => T) {}

  /** The group for a resource and scope, made on first use. */
  get(resource: AttributesInput, scope: ScopeInput): T {
    const rkey = canonicalAttributes(resource as Attributes);
    let r = this.resources.get(rkey);
    if (!r) { r = { attributes: resource, scopes: new Map() }; this.resources.set(rkey, r); }
    const skey = JSON.stringify([scope.name, scope.version ?? '', scope.schemaUrl ?? '', canonicalAttributes((scope.attributes ?? {}) as Attributes)]);
    let s = r.scopes.get(skey);
    if (!s) { s = { scope, group: this.make() }; r.scopes.set(skey, s); }
    return s.group;
  }

  /** Writes the request: field 1 resource_* per resource, field 2 scope_* per scope, `items` writing each scope's content after its scope. */
  write(w: Writer, items: (group: T) => void): void {
    for (const r of this.resources.values()) {
      nested(w, 1, () => {
        nested(w, 1, () => writeAttributes(w, 1, r.attributes));
        for (const { scope, group } of r.scopes.values()) {
          nested(w, 2, () => {
            nested(w, 1, () => {
              if (scope.name) string(w, 1, scope.name);
              if (scope.version) string(w, 2, scope.version);
              writeAttributes(w, 3, scope.attributes);
            });
            items(group);
            if (scope.schemaUrl) string(w, 3, scope.schemaUrl);
          });
        }
      });
    }
  }
}
