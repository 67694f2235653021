/**
 * The OTLP messages (trace, metrics, logs) as protobufjs reflection types, for the codec comparison.
 * No OTLP .proto file ships in node_modules, so the types are defined with protobufjs' reflection
 * API from vigil's own schema table (pdata/schema.ts: field numbers, kinds, repetition): both
 * decoders then read exactly the same message definitions, and the comparison is of codecs only.
 */
import protobuf from 'protobufjs';
import type { Signal } from '../pdata/index.js';
import { Kind, MESSAGES, REQUEST, type FieldDef } from '../pdata/schema.js';

/** protobufjs' scalar type per kind; enums are read as int32, which is how protobufjs decodes an enum anyway. */
const SCALAR: Readonly<Record<Exclude<Kind, Kind.Message>, string>> = {
  [Kind.String]: 'string', [Kind.Bytes]: 'bytes', [Kind.Bool]: 'bool', [Kind.Int32]: 'int32', [Kind.Uint32]: 'uint32',
  [Kind.Sint32]: 'sint32', [Kind.Int64]: 'int64', [Kind.Uint64]: 'uint64', [Kind.Enum]: 'int32', [Kind.Fixed32]: 'fixed32',
  [Kind.Fixed64]: 'fixed64', [Kind.Sfixed64]: 'sfixed64', [Kind.Double]: 'double',
};

function field(f: FieldDef): protobuf.Field {
  const type = f.kind === Kind.Message ? f.msgName! : SCALAR[f.kind];
  // JSON (camelCase) names, as protobufjs names fields by default when it loads a .proto file.
  return new protobuf.Field(f.json, f.no, type, f.repeated ? 'repeated' : undefined);
}

/** Every OTLP message of vigil's schema in one protobufjs root, resolved. Oneofs are left out: decoding does not depend on them. */
export function otlpRoot(): protobuf.Root {
  const root = new protobuf.Root();
  for (const def of MESSAGES.values()) {
    const type = new protobuf.Type(def.name);
    for (const f of def.fields) if (f) type.add(field(f));
    root.add(type);
  }
  root.resolveAll();
  return root;
}

/** The protobufjs type of a signal's export request. */
export function requestType(root: protobuf.Root, signal: Signal): protobuf.Type {
  return root.lookupType(REQUEST[signal].name);
}

interface DecodedTraces {
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}

/** Spans in an ExportTraceServiceRequest protobufjs decoded (a message or its toObject form). */
export function protobufjsSpanCount(decoded: object): number {
  let n = 0;
  for (const rs of (decoded as DecodedTraces).resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  }
  return n;
}
