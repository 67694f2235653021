/**
 * The envelope every signal shares — request → resource_* → scope_* — walked from the bytes for the
 * per-item views: the resource's attributes and the scope's name and version are decoded once per
 * resource and scope, and handed to every item under them.
 */
import { readKeyValues, type Attributes } from './any-value.js';
import type { Payload } from './payload.js';
import { eachField, utf8 } from './wire.js';

/** What an item inherits from its resource and scope. The objects are shared by the items: do not mutate. */
export interface Envelope {
  /** Resource attributes as plain values. */
  readonly resource: Attributes;
  /** resource["service.name"] when it is a string. */
  readonly serviceName: string | undefined;
  readonly scopeName: string;
  readonly scopeVersion: string;
}

/** Calls `fn` for every scope_* message of a request with its envelope and its content range. */
export function forEachScope(payload: Payload, fn: (env: Envelope, b: Uint8Array, start: number, end: number) => void): void {
  const b = payload.bytes;
  eachField(b, 0, b.length, 1, (start, end) => {
    let resource: Attributes = {};
    eachField(b, start, end, 1, (rs, re) => { resource = readKeyValues(b, rs, re, 1, resource); });
    const service = resource['service.name'];
    const serviceName = typeof service === 'string' ? service : undefined;
    eachField(b, start, end, 2, (ss, se) => {
      let scopeName = '';
      let scopeVersion = '';
      eachField(b, ss, se, 1, (is, ie) => {
        eachField(b, is, ie, 1, (s, e) => { scopeName = utf8(b, s, e); });
        eachField(b, is, ie, 2, (s, e) => { scopeVersion = utf8(b, s, e); });
      });
      fn({ resource, serviceName, scopeName, scopeVersion }, b, ss, se);
    });
  });
}

/** Lowercase hex of b[start, end) ('' when empty). */
export function hex(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('hex');
}
