import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../exporterhelper/test-support.js';
import { configSchema } from './config.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/slack/testdata/${name}`, import.meta.url), 'utf8')) as { 'slack': unknown })['slack'];

t.test('the README example loads', async (t) => {
  t.match(configSchema.parse(load('example.yaml')), { token: 'xoxb-123', channel: 'C0ALERTS', api_url: 'https://slack.com/api', rate_limit: { per_second: 1 } });
});

t.test('both.yaml is refused at its key', async (t) => {
  t.equal(issueOf(configSchema, load('both.yaml')), 'webhook_url: set either webhook_url (incoming webhook) or token and channel (chat.postMessage)');
});
