/** Dimension globs: gobwas/glob semantics with '.' as the separator. */
import t from 'tap';
import { compileGlob } from './glob.js';

const m = (glob: string, name: string): boolean => compileGlob(glob)!.test(name);

t.test('* stays within a segment, ** crosses them', async (t) => {
  t.ok(m('http.*', 'http.method'));
  t.notOk(m('http.*', 'http.request.method'));
  t.ok(m('http.**', 'http.request.method'));
  t.ok(m('*', 'foo'));
  t.notOk(m('*', 'foo.bar'));
});

t.test('?, classes, alternatives, escapes', async (t) => {
  t.ok(m('k8s.?od.name', 'k8s.pod.name'));
  t.notOk(m('a?b', 'a.b'));
  t.ok(m('k8s.[pn]od.name', 'k8s.nod.name'));
  t.notOk(m('k8s.[!p]od.name', 'k8s.pod.name'));
  t.ok(m('{http,rpc}.method', 'rpc.method'));
  t.ok(m('a\\*b', 'a*b'));
  t.notOk(m('a\\*b', 'axb'));
  t.ok(m('x+y', 'x+y'), 'regex characters are literal');
});

t.test('malformed globs are refused', async (t) => {
  t.equal(compileGlob('k8s.[pod'), undefined);
  t.equal(compileGlob('{a,b'), undefined);
  t.equal(compileGlob('a\\'), undefined);
});
