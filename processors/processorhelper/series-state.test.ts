import t from 'tap';
import { decodeSeriesState, encodeSeries, OFFSET_FIELD, seriesField } from './series-state.js';

t.test('a series encodes as JSON, its bigint values as strings, wherever they are', async (t) => {
  const plain = { 'service.name': 'api', model: { vectors: [1.5, -2, 0], seen: 3 } };
  t.equal(encodeSeries(plain), JSON.stringify(plain));
  t.equal(encodeSeries({ 'http.response.status_code': 500n, model: { seen: 3 } }), '{"http.response.status_code":"500","model":{"seen":3}}');
  t.equal(encodeSeries({ model: { deep: [1, 2n ** 70n] } }), `{"model":{"deep":[1,"${(2n ** 70n).toString()}"]}}`);
});

t.test('a partition\'s map decodes into its series and offset; an unreadable field is skipped and counted', async (t) => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const fields = new Map([
    [seriesField('a'), bytes(encodeSeries({ x: 1n }))],
    [seriesField('b'), bytes('{not json')],
    [OFFSET_FIELD, bytes('41')],
  ]);
  const got = decodeSeriesState<{ x: string }>(fields);
  t.same([...got.series], [['a', { x: '1' }]]);
  t.equal(got.applied, 41n);
  t.equal(got.skipped, 1);
});
