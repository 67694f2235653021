/**
 * The attributes of every span's events, for the events metric. pdata's detailed span view counts
 * events but does not decode them (most consumers never need them), so this walks the same
 * request → resource_* → scope_* → span order and reads only field 11 (events).
 */
import { readKeyValues, type Attributes } from '../../pdata/any-value.js';
import { forEachScope } from '../../pdata/envelope.js';
import type { Payload } from '../../pdata/payload.js';
import { eachField } from '../../pdata/wire.js';

/** Per span, in forEachSpanDetailed's order, the attributes of each of its events. */
export function spanEventAttributes(payload: Payload): Attributes[][] {
  const out: Attributes[][] = [];
  if (payload.signal !== 'traces') return out;
  forEachScope(payload, (_env, b, start, end) => {
    eachField(b, start, end, 2, (ss, se) => {
      const events: Attributes[] = [];
      eachField(b, ss, se, 11, (es, ee) => { events.push(readKeyValues(b, es, ee, 3)); });
      out.push(events);
    });
  });
  return out;
}
