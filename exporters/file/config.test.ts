import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../exporterhelper/test-support.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/file/testdata/${name}`, import.meta.url), 'utf8')) as { file: unknown }).file;

t.test('the otelcol README example loads', async (t) => {
  const c = configSchema.parse(load('otelcol.yaml'));
  t.match(c, { path: './filename.json', format: 'json', append: false, flush_interval: 5000, rotation: { max_megabytes: 10, max_days: 3, max_backups: 3, localtime: true } });
});

t.test('defaults', async (t) => {
  const c = configSchema.parse({ path: 'x.jsonl' });
  t.match(c, { format: 'json', append: false, flush_interval: 1000, compression: '' });
  t.equal(c.rotation, undefined, 'no rotation unless asked for');
  t.match(configSchema.parse({ path: 'x', rotation: {} }).rotation, { max_megabytes: 100, max_backups: 100, localtime: false });
  t.equal(factory.createDefaultConfig().path, '');
});

t.test('rules', async (t) => {
  t.equal(issueOf(configSchema, load('no-path.yaml')), 'path: expected the path of the file to write');
  t.equal(issueOf(configSchema, { path: 'x', format: 'xml' }), 'format: expected "json" or "proto"');
  t.equal(issueOf(configSchema, { path: 'x', flush_interval: '0s' }), 'flush_interval: must be more than 0');
  t.equal(issueOf(configSchema, { path: 'x', rotation: { max_megabytes: 0 } }), 'rotation::max_megabytes: must be at least 1');
  t.match(issueOf(configSchema, { path: 'x', group_by: { enabled: true } }), /Unrecognized key: "group_by"/);
  t.equal(configSchema.parse(load('zstd.yaml')).compression, 'zstd', `zstd is accepted on any Node (this is ${process.version})`);
  t.equal(issueOf(configSchema, { path: 'x', compression: 'zstd', append: true }), 'append: append and compression cannot be used together');
});
