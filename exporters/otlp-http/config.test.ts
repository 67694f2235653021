import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../exporterhelper/test-support.js';
import { configSchema, signalUrl } from './config.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/otlp-http/testdata/${name}`, import.meta.url), 'utf8')) as { otlphttp: unknown }).otlphttp;

t.test('an otelcol otlphttp exporter config loads unchanged', async (t) => {
  const c = configSchema.parse(load('otelcol.yaml'));
  t.match(c, { endpoint: 'https://1.2.3.4:1234', encoding: 'json', timeout: 10_000, sending_queue: { queue_size: 10 }, tls: { insecure: true } });
  t.equal(signalUrl(c, 'logs'), 'https://1.2.3.4:1234/v1/logs');
});

t.test('rules', async (t) => {
  t.equal(issueOf(configSchema, load('bad-url.yaml')), 'metrics_endpoint: expected an http:// or https:// URL for metrics_endpoint, got "collector:4318/v1/metrics"');
  const only = configSchema.parse({ traces_endpoint: 'http://t:1/x' });
  t.equal(signalUrl(only, 'traces'), 'http://t:1/x');
  t.equal(signalUrl(only, 'logs'), undefined, 'a signal without an endpoint cannot be sent');
});
