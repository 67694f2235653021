/**
 * `loadConfig`: read and parse every file, merge them in order, apply `--set` overrides, expand
 * `${env:…}`, then check everything and collect every mistake. Never throws for a user's mistake.
 */
import { readFileSync } from 'node:fs';
import type { YAMLError } from 'yaml';
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigError, Position } from './errors.js';
import { Problems } from './errors.js';
import { expandTree } from './expand.js';
import { applySet, firstSentence, SET_FILE } from './merge.js';
import { mergeNodes } from './merge.js';
import type { ComponentConfig, LoadOptions, LoadResult, ServiceConfig } from './model.js';
import type { ConfigNode, MapNode } from './positions.js';
import { emptyMap, fromDocument, toPlain } from './positions.js';
import type { ServiceSection } from './service.js';
import { serviceSchema } from './service.js';
import { unknownKeyMessage } from './suggest.js';
import type { Declared, Section } from './validate-components.js';
import { COMPONENT_SECTIONS, validateSection } from './validate-components.js';
import { validatePipelines } from './validate-pipelines.js';
import { parseWith } from './zod-issues.js';

const TOP_LEVEL = [...COMPONENT_SECTIONS.map(([s]) => s), 'service'];

/** Loads, merges, expands and validates a configuration; `config` is set only when there is no error. */
export function loadConfig(options: LoadOptions): LoadResult {
  const problems = new Problems();
  const tree = readAll(options.files, problems);
  if (!tree) return finish(problems, options.files);
  let root: ConfigNode = tree;
  for (const set of options.sets ?? []) root = applySet(root, set, problems);
  expandTree(root, options.env ?? process.env, problems);
  if (root.kind === 'scalar' && root.value === null) root = emptyMap(root.pos);
  if (root.kind !== 'map') {
    problems.error(root.pos, '', `expected a map with the sections ${TOP_LEVEL.join(', ')}, got ${root.kind === 'seq' ? 'a list' : 'a scalar'}`);
    return finish(problems, options.files);
  }
  const expansionErrors = new Set(problems.errors.map((e) => e.path));
  const before = problems.errors.length;
  const config = validate(root, options, problems);
  // A value whose expansion failed would fail its schema too; one error per value is enough.
  const later = problems.errors.splice(before).filter((e) => !expansionErrors.has(e.path));
  problems.errors.push(...later);
  return finish(problems, options.files, config);
}

/** Reads and merges the files; undefined when one cannot be read or parsed. */
function readAll(files: readonly string[], problems: Problems): ConfigNode | undefined {
  if (files.length === 0) {
    problems.error({ file: '--config', line: 0, column: 0 }, '', 'no configuration file given; use --config FILE');
    return undefined;
  }
  let merged: ConfigNode | undefined;
  for (const file of files) {
    const tree = readOne(file, problems);
    if (tree) merged = merged ? mergeNodes(merged, tree) : tree;
  }
  return problems.errors.length > 0 ? undefined : merged;
}

function readOne(file: string, problems: Problems): ConfigNode | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.error({ file, line: 0, column: 0 }, '', `cannot read: ${(err as Error).message}`);
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (e: YAMLError): Position => {
    const p = lines.linePos(e.pos[0]);
    return { file, line: p.line, column: p.col };
  };
  for (const w of doc.warnings) problems.warn(at(w), '', firstSentence(w.message));
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.error(at(e), '', e.code === 'DUPLICATE_KEY' ? duplicateKey(text, e.pos[0]) : firstSentence(e.message));
    return undefined;
  }
  const tree = fromDocument(doc, file, lines, problems);
  return tree.kind === 'scalar' && tree.value === null ? emptyMap({ file, line: 1, column: 1 }) : tree;
}

function duplicateKey(text: string, offset: number): string {
  const key = /^(?:"([^"]*)"|'([^']*)'|([^:\n]*?))\s*:/.exec(text.slice(offset));
  const name = key ? (key[1] ?? key[2] ?? key[3]) : undefined;
  return name ? `duplicate key "${name}"` : 'duplicate key';
}

/** Checks the merged tree; the ServiceConfig when every check passed. */
function validate(root: MapNode, options: LoadOptions, problems: Problems): ServiceConfig | undefined {
  for (const [key, { keyPos }] of root.entries) {
    if (!TOP_LEVEL.includes(key)) problems.error(keyPos, [key], unknownKeyMessage(key, TOP_LEVEL));
  }
  const decl = Object.fromEntries(COMPONENT_SECTIONS.map(([section, kind]) => [section, validateSection(root, section, kind, options.factories, problems)])) as Record<Section, Map<string, Declared>>;
  const entry = root.entries.get('service');
  let service: ServiceSection | undefined;
  let servicePlain: unknown = {};
  if (!entry) {
    problems.error(root.pos, ['service'], 'missing required section "service" (with at least one pipeline)');
  } else {
    servicePlain = toPlain(entry.value) ?? {};
    service = parseWith(serviceSchema, servicePlain, root, ['service'], problems);
  }
  const pipelines = validatePipelines(root, servicePlain, decl, problems);
  if (problems.errors.length > 0 || !service) return undefined;
  const components = (section: Section): ReadonlyMap<string, ComponentConfig> =>
    new Map([...decl[section]].map(([id, d]) => [id, { id: d.id, factory: d.factory!, config: d.config, keyPos: d.keyPos }]));
  return {
    receivers: components('receivers'),
    processors: components('processors'),
    exporters: components('exporters'),
    connectors: components('connectors'),
    extensions: components('extensions'),
    pipelines,
    service,
  };
}

/** Errors and warnings in reading order: by file as given (then `--set`), line, column. */
function finish(problems: Problems, files: readonly string[], config?: ServiceConfig): LoadResult {
  const rank = (e: ConfigError): number => (e.file === SET_FILE ? files.length : Math.max(0, files.indexOf(e.file)));
  const order = (a: ConfigError, b: ConfigError): number => rank(a) - rank(b) || a.line - b.line || a.column - b.column;
  const errors = [...problems.errors].sort(order);
  const warnings = [...problems.warnings].sort(order);
  return errors.length > 0 ? { errors, warnings } : { config, errors, warnings };
}
