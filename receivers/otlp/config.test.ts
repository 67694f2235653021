/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { configSchema } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => parse(readFileSync(new URL(`../../../receivers/otlp/testdata/${name}`, import.meta.url), 'utf8')) as unknown;

/** The first issue of a config that must fail: its path (joined with ::) and message. */
function issueOf(name: string): { path: string; message: string } {
  const result = configSchema.safeParse(load(name));
  if (result.success) throw new Error(`${name} should not validate`);
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('::'), message: issue.message };
}

t.test('the otelcol README config loads unchanged', async (t) => {
  const c = configSchema.parse(load('otelcol-readme.yaml'));
  t.equal(c.protocols.grpc?.max_recv_msg_size_mib, 32);
  t.equal(c.protocols.grpc?.keepalive?.server_parameters?.time, 30_000, 'durations become ms');
  t.same(c.protocols.http?.cors?.allowed_origins, ['http://test.com', 'https://*.example.com']);
  t.equal(c.protocols.http?.traces_url_path, '/traces');
});

t.test('defaults', async (t) => {
  const c = factory.createDefaultConfig();
  t.equal(c.protocols.grpc?.endpoint, 'localhost:4317');
  t.equal(c.protocols.grpc?.max_recv_msg_size_mib, 4);
  t.equal(c.protocols.http?.endpoint, 'localhost:4318');
  t.equal(c.protocols.http?.max_request_body_size, 20 * 1024 * 1024);
  t.same([c.protocols.http?.traces_url_path, c.protocols.http?.metrics_url_path, c.protocols.http?.logs_url_path], ['/v1/traces', '/v1/metrics', '/v1/logs']);
  t.doesNotThrow(() => configSchema.parse(c), 'the default config validates');
});

t.test('grpc with no value means gRPC with defaults, and no HTTP', async (t) => {
  const c = configSchema.parse(load('grpc-null.yaml'));
  t.equal(c.protocols.grpc?.endpoint, 'localhost:4317');
  t.equal(c.protocols.http, undefined);
});

t.test('at least one protocol', async (t) => {
  t.same(issueOf('no-protocols.yaml'), { path: 'protocols', message: 'must enable at least one of "grpc" and "http"' });
  t.match(configSchema.safeParse({}).error?.issues[0]?.message, /enabling "grpc" and\/or "http"/, 'protocols missing altogether');
});

t.test('max_recv_msg_size_mib is at most 64', async (t) => {
  t.same(issueOf('recv-size-too-big.yaml'), { path: 'protocols::grpc::max_recv_msg_size_mib', message: 'must be at most 64' });
});

t.test('unknown keys are rejected', async (t) => {
  const issue = issueOf('unknown-key.yaml');
  t.equal(issue.path, 'protocols::http');
  t.match(issue.message, /max_body_size/);
});

t.test('endpoints are host:port', async (t) => {
  t.same(issueOf('bad-endpoint.yaml'), { path: 'protocols::grpc::endpoint', message: 'expected an endpoint like "localhost:4317", got "4317"' });
});

t.test('keepalive durations are durations', async (t) => {
  t.same(issueOf('bad-duration.yaml'), { path: 'protocols::grpc::keepalive::server_parameters::time', message: 'expected a duration like "10s", got "ten"' });
});

t.test('url paths start with /', async (t) => {
  t.same(issueOf('bad-url-path.yaml'), { path: 'protocols::http::traces_url_path', message: 'must start with "/"' });
});

t.test('transport is tcp', async (t) => {
  t.same(issueOf('bad-transport.yaml'), { path: 'protocols::grpc::transport', message: 'only "tcp" is supported' });
});

t.test('max_request_body_size is positive', async (t) => {
  t.same(issueOf('bad-body-size.yaml'), { path: 'protocols::http::max_request_body_size', message: 'must be at least 1' });
});
