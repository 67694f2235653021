import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../exporterhelper/test-support.js';
import { configSchema } from './config.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/email/testdata/${name}`, import.meta.url), 'utf8')) as { 'email': unknown })['email'];

t.test('the README example loads', async (t) => {
  t.match(configSchema.parse(load('example.yaml')), { endpoint: 'smtp.example.com:587', starttls: 'required', to: ['oncall@example.com'], tls: { insecure_skip_verify: true } });
});

t.test('bad-starttls.yaml is refused at its key', async (t) => {
  t.equal(issueOf(configSchema, load('bad-starttls.yaml')), 'starttls: expected "required", "opportunistic" or "none"');
});
