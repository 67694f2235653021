/** ${env:…} expansion: values, types, defaults, escapes, errors and their columns. */
import t from 'tap';
import { LineCounter, parseDocument } from 'yaml';
import { Problems } from './errors.js';
import type { Env } from './expand.js';
import { expandTree } from './expand.js';
import { fromDocument, toPlain } from './positions.js';

const ENV: Env = { PORT: '4317', HOST: 'collector', EMPTY: '', BOOL: 'true', LIST: '[a, b]', HASH: 'a # b', DOLLAR: '$HOME' };

function expand(yaml: string, env: Env = ENV) {
  const lines = new LineCounter();
  const problems = new Problems();
  const tree = fromDocument(parseDocument(yaml, { lineCounter: lines }), 'c.yaml', lines, problems);
  expandTree(tree, env, problems);
  return { value: toPlain(tree), errors: problems.errors.map(String), warnings: problems.warnings.map(String) };
}

t.test('a whole-value reference takes its YAML type; embedded ones stay text', async (t) => {
  t.same(expand('a: ${env:PORT}\nb: ${env:HOST}:${env:PORT}\nc: ${env:BOOL}\nd: "${env:PORT}"\ne: x${env:PORT}').value,
    { a: 4317, b: 'collector:4317', c: true, d: '4317', e: 'x4317' });
  // Text that would read as a list or lose a comment stays a string.
  t.same(expand('a: ${env:LIST}\nb: ${env:HASH}').value, { a: '[a, b]', b: 'a # b' });
});

t.test('defaults, $$ escapes, and values that contain $', async (t) => {
  const r = expand('a: ${env:NOPE:-localhost:4318}\nb: ${env:EMPTY:-fallback}\nc: $${env:PORT}\nd: cost $$5 and $x\ne: ${env:DOLLAR}\nf: ${env:NOPE:-${env:HOST}}\ng: ${PORT}\nh: ${NOPE:-9}');
  t.same(r.value, { a: 'localhost:4318', b: 'fallback', c: '${env:PORT}', d: 'cost $5 and $x', e: '$HOME', f: 'collector', g: 4317, h: 9 });
  t.same(r.errors, []);
  t.same(r.warnings, []);
});

t.test('unset without default: empty string and a warning; lists and nested maps expand too', async (t) => {
  const r = expand('a:\n  list: [x, "${env:NOPE}"]\n  n: ${env:NOPE}');
  t.same(r.value, { a: { list: ['x', ''], n: '' } });
  t.same(r.warnings, [
    'c.yaml:2:13 a::list::1: environment variable "NOPE" is not set; using an empty value',
    'c.yaml:3:6 a::n: environment variable "NOPE" is not set; using an empty value',
  ]);
});

t.test('bad syntax is an error at the reference', async (t) => {
  t.same(expand('a: x${env:}\nb: ${env:1X}\nc: ${file:/x}\nd: ab${env:OPEN\ne: ${env:A-B:-1}').errors, [
    'c.yaml:1:5 a: an empty environment variable name in "${env:}"',
    'c.yaml:2:4 b: invalid environment variable name "1X" in "${env:1X}"',
    'c.yaml:3:4 c: unsupported config source "file" in "${file:/x}"; only ${env:NAME} is supported',
    'c.yaml:4:6 d: unterminated reference "${env:OPEN": expected "}"',
    'c.yaml:5:4 e: invalid environment variable name "A-B" in "${env:A-B:-1}"',
  ]);
});

t.test('keys are not expanded', async (t) => {
  t.same(expand('${env:HOST}: 1').value, { '${env:HOST}': 1 });
});
