import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../exporterhelper/test-support.js';
import { configSchema } from './config.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/webhook/testdata/${name}`, import.meta.url), 'utf8')) as { 'webhook': unknown })['webhook'];

t.test('the README example loads', async (t) => {
  t.match(configSchema.parse(load('example.yaml')), { receiver: 'payments-hook', timeout: 5000, dead_letter_ttl: 1_800_000, rate_limit: { per_second: 5, burst: 20 }, retry_on_failure: { initial_interval: 2000 } });
});

t.test('bad-secret.yaml is refused at its key', async (t) => {
  t.equal(issueOf(configSchema, load('bad-secret.yaml')), 'secret: expected a Standard Webhooks secret: "whsec_" followed by base64 of at least 16 bytes');
});
