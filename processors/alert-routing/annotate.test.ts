/** Attributes written on chosen records of a logs request, across resources and scopes, everything else kept. */
import t from 'tap';
import { forEachLogRecord, LogsBuilder } from '../../pdata/index.js';
import { annotateRecords } from './annotate.js';

t.test('the right records get the attribute; other fields, resources and scopes are unchanged; a key is replaced, not repeated', async (t) => {
  const b = new LogsBuilder();
  b.scope({ 'service.name': 'a' }, { name: 's1' }).add({ timeUnixNano: 1n, body: 'r0', attributes: { k: 'v', route: 'old' } }).add({ timeUnixNano: 2n, body: 'r1', eventName: 'e' });
  b.scope({ 'service.name': 'b' }, { name: 's2', version: '2' }).add({ timeUnixNano: 3n, body: 'r2', traceId: '5b8efff798038103d269b633813fc60c' });
  const payload = b.build()!;
  const out = annotateRecords(payload, (i) => (i === 0 ? { route: ['x', 'y'] } : i === 2 ? { route: [] } : undefined));
  const seen: unknown[] = [];
  forEachLogRecord(out, (r) => seen.push([r.serviceName, r.scopeName, r.scopeVersion, r.body, r.eventName, r.traceId, r.attributes]));
  t.same(seen, [
    ['a', 's1', '', 'r0', '', '', { k: 'v', route: ['x', 'y'] }],
    ['a', 's1', '', 'r1', 'e', '', {}],
    ['b', 's2', '2', 'r2', '', '5b8efff798038103d269b633813fc60c', { route: [] }],
  ]);
  t.equal(out.itemCount, 3);
  t.equal(annotateRecords(payload, () => undefined), payload, 'nothing to add: the same payload');
});
