/** Parses a series description such as `up{job="api"}` (Prometheus' ParseMetric) into a label set. */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { PromqlError } from './ast.js';
import { unquote } from './literals.js';
import type { Labels } from './values.js';
import { METRIC_NAME } from './values.js';

/** The labels of `text`; only `=` matchers are allowed. Throws PromqlError. */
export function parseMetric(text: string): Labels {
  const trimmed = text.trim();
  if (trimmed === '{}') return {};
  const tree = parser.parse(trimmed);
  let error: number | undefined;
  tree.iterate({
    enter(n) {
      if (n.type.isError && error === undefined) error = n.from;
    },
  });
  const top = tree.topNode.firstChild;
  if (error !== undefined || top?.name !== 'VectorSelector' || top.to !== trimmed.length) {
    throw new PromqlError(`not a series description: ${JSON.stringify(text)}`, error ?? 0);
  }
  const labels: Record<string, string> = {};
  for (let c: SyntaxNode | null = top.firstChild; c !== null; c = c.nextSibling) {
    if (c.name === 'Identifier') labels[METRIC_NAME] = trimmed.slice(c.from, c.to);
    if (c.name !== 'LabelMatchers') continue;
    for (let m: SyntaxNode | null = c.firstChild; m !== null; m = m.nextSibling) readMatcher(trimmed, m, labels);
  }
  return labels;
}

function readMatcher(text: string, m: SyntaxNode, labels: Record<string, string>): void {
  const src = (n: SyntaxNode): string => text.slice(n.from, n.to);
  const name = m.firstChild;
  const op = name?.nextSibling;
  const value = op?.nextSibling;
  if (name === null || name === undefined || op === null || op === undefined || value === null || value === undefined || src(op) !== '=') {
    throw new PromqlError(`series descriptions take only label="value" pairs: ${src(m)}`, m.from);
  }
  const key = name.name === 'QuotedLabelName' ? unquote(src(name)) : src(name);
  const v = unquote(src(value));
  if (v !== '') labels[key] = v;
}
