import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../exporterhelper/test-support.js';
import { configSchema } from './config.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/alertmanager/testdata/${name}`, import.meta.url), 'utf8')) as { 'alertmanager': unknown })['alertmanager'];

t.test('the README example loads', async (t) => {
  t.match(configSchema.parse(load('example.yaml')), { endpoint: 'http://alertmanager:9093', resend_interval: 30_000 });
});

t.test('bad-endpoint.yaml is refused at its key', async (t) => {
  t.equal(issueOf(configSchema, load('bad-endpoint.yaml')), 'endpoint: expected an http:// or https:// URL, got "alertmanager:9093"');
});
