import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../exporterhelper/test-support.js';
import { configSchema, parseEndpoint } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/otlp-grpc/testdata/${name}`, import.meta.url), 'utf8')) as { otlp: unknown }).otlp;

t.test('an otelcol otlp exporter config loads unchanged', async (t) => {
  t.match(configSchema.parse(load('otelcol.yaml')), {
    endpoint: '1.2.3.4:1234', timeout: 10_000, balancer_name: 'round_robin',
    sending_queue: { num_consumers: 2, queue_size: 10 },
    retry_on_failure: { initial_interval: 10_000, randomization_factor: 0.7, multiplier: 1.3, max_interval: 60_000, max_elapsed_time: 600_000 },
    keepalive: { time: 20_000, timeout: 30_000, permit_without_stream: true },
    headers: { header1: '234' },
  });
});

t.test('rules', async (t) => {
  t.equal(issueOf(configSchema, load('zstd.yaml')), 'compression: compression "zstd" is not supported: use "gzip" or "none"');
  t.equal(issueOf(configSchema, { endpoint: 'c:1', balancer_name: 'random' }), 'balancer_name: expected "pick_first" or "round_robin"');
  t.equal(issueOf(configSchema, { endpoint: 'c:1', tls: { cert_file: 'x' } }), 'tls: a client certificate needs both cert_* and key_*');
  t.match(issueOf(configSchema, { endpoint: 'c:1', auth: { authenticator: 'x' } }), /Unrecognized key: "auth"/);
  t.same(parseEndpoint('http://[::1]:4317'), { scheme: 'http', target: '[::1]:4317' });
  t.same(parseEndpoint('collector.svc:4317'), { scheme: undefined, target: 'collector.svc:4317' });
  t.equal(factory.createDefaultConfig().endpoint, '');
  t.match(issueOf(configSchema, factory.createDefaultConfig()), /^endpoint: expected an endpoint/, 'the default needs an endpoint, as in otelcol');
});
