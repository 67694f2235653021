/** Edit distance and "did you mean". */
import t from 'tap';
import { closest, editDistance, unknownKeyMessage } from './suggest.js';

t.test('edit distance counts a swap of neighbours as one edit', async (t) => {
  t.equal(editDistance('sned', 'send'), 1);
  t.equal(editDistance('kitten', 'sitting'), 3);
  t.equal(editDistance('', 'abc'), 3);
  t.equal(editDistance('same', 'same'), 0);
});

t.test('suggests only close candidates', async (t) => {
  t.equal(closest('sned_batch_size', ['send_batch_size', 'timeout']), 'send_batch_size');
  t.equal(closest('tiemout', ['send_batch_size', 'timeout']), 'timeout');
  t.equal(closest('db', ['tls', 'sasl']), undefined);
  t.equal(closest('colour', ['timeout', 'send_batch_size']), undefined);
  t.equal(unknownKeyMessage('colour', ['timeout', 'endpoint']), 'unknown key "colour"; valid keys: endpoint, timeout');
  t.equal(unknownKeyMessage('x', []), 'unknown key "x"; nothing is allowed here');
});
