import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../exporterhelper/test-support.js';
import { configSchema } from './config.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/pagerduty/testdata/${name}`, import.meta.url), 'utf8')) as { 'pagerduty': unknown })['pagerduty'];

t.test('the README example loads', async (t) => {
  t.match(configSchema.parse(load('example.yaml')), { source: 'checkout-prod', dead_letter_ttl: 900_000, endpoint: 'https://events.pagerduty.com/v2/enqueue' });
});

t.test('short-key.yaml is refused at its key', async (t) => {
  t.equal(issueOf(configSchema, load('short-key.yaml')), 'routing_key: expected the 32-character integration key of an Events API v2 integration');
});
