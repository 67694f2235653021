/**
 * The wiring checks of `service`: pipeline ids name a signal, every id a pipeline lists is
 * configured in the right section and supports the pipeline's signal, connectors are used on both
 * sides with signals they can connect and form no cycle, enabled extensions exist, and configured
 * components nobody uses are reported as warnings.
 */
import type { Kind } from '../pipeline/component.js';
import type { Signal } from '../pdata/payload.js';
import { SIGNALS } from '../pdata/payload.js';
import type { Problems } from './errors.js';
import type { PipelineConfig } from './model.js';
import type { MapNode } from './positions.js';
import { locate } from './positions.js';
import { pipelineSchema } from './service.js';
import { closest } from './suggest.js';
import type { Declared, Section } from './validate-components.js';
import { checkConnectors } from './validate-connectors.js';

/** Everything the component sections declared, by section. */
export type Declarations = Readonly<Record<Section, ReadonlyMap<string, Declared>>>;

type Role = 'receivers' | 'processors' | 'exporters';
/** Where each role may find its ids, first the section of its own kind. */
const LOOKUP: Record<Role, readonly [Section, Kind][]> = {
  receivers: [['receivers', 'receiver'], ['connectors', 'connector']],
  processors: [['processors', 'processor']],
  exporters: [['exporters', 'exporter'], ['connectors', 'connector']],
};

/** Checks `service.pipelines` and `service.extensions` (already schema-checked) and returns the pipelines that parsed. */
export function validatePipelines(root: MapNode, service: unknown, decl: Declarations, problems: Problems): PipelineConfig[] {
  const pipelinesRaw = isRecord(service) && isRecord(service.pipelines) ? service.pipelines : {};
  const pipelines: PipelineConfig[] = [];
  let complete = isRecord(service) && isRecord(service.pipelines);
  for (const [id, raw] of Object.entries(pipelinesRaw)) {
    const signal = pipelineSignal(root, id, problems);
    const parsed = pipelineSchema.safeParse(raw ?? {});
    if (!parsed.success || !signal) {
      complete = false; // schema errors were reported with the service section
      continue;
    }
    const p: PipelineConfig = { id, signal, ...parsed.data };
    for (const role of ['receivers', 'processors', 'exporters'] as const) checkRole(root, p, role, decl, problems);
    pipelines.push(p);
  }
  checkInPipelines(root, pipelines, decl, problems);
  checkConnectors(root, pipelines, decl.connectors, problems);
  checkExtensions(root, service, decl, problems);
  if (complete) warnUnused(pipelines, service, decl, problems);
  warnDroppedEvents(root, pipelines, decl, problems);
  return pipelines;
}

/**
 * A processor that emits events (alerts, anomalies) in a pipeline with no connector into a logs
 * pipeline would have them dropped (pipeline/graph.ts routes them only there): most likely a
 * forgotten `events` in its exporters. Not said of one whose config turns its events off.
 */
function warnDroppedEvents(root: MapNode, pipelines: readonly PipelineConfig[], decl: Declarations, problems: Problems): void {
  for (const p of pipelines) {
    if (p.signal === 'logs') continue;
    const routed = p.exporters.some((id) => {
      const factory = decl.connectors.get(id)?.factory;
      return factory?.kind === 'connector' && (factory.connects[p.signal] ?? []).includes('logs');
    });
    if (routed) continue;
    p.processors.forEach((id, i) => {
      const declared = decl.processors.get(id);
      const factory = declared?.factory;
      const events = factory?.kind === 'processor' ? factory.emitsEvents : undefined;
      if (!events || events.length === 0) return;
      // Turned off (`events: false`, as anomaly and baseline allow): nothing to drop.
      if ((declared?.config as { events?: unknown } | undefined)?.events === false) return;
      const path = ['service', 'pipelines', p.id, 'processors', i];
      problems.warn(locate(root, path).pos, path, `processor "${id}" emits ${events.join(', ')} log records, but pipeline "${p.id}" has no connector into a logs pipeline, so they are dropped; add "events" to its exporters (see processors/events)`);
    });
  }
}

/** The checks a processor's factory makes of its config in each pipeline that lists it (`checkInPipeline`). */
function checkInPipelines(root: MapNode, pipelines: readonly PipelineConfig[], decl: Declarations, problems: Problems): void {
  for (const p of pipelines) {
    for (const id of p.processors) {
      const d = decl.processors.get(id);
      if (!d?.valid || d.factory?.kind !== 'processor' || !d.factory.checkInPipeline) continue;
      for (const issue of d.factory.checkInPipeline(d.config, { id: p.id, exporters: p.exporters })) {
        const path = ['processors', id, ...issue.path];
        problems.error(locate(root, path).pos, path, issue.message);
      }
    }
  }
}

/** `traces`, `metrics/name`, …: the signal of a pipeline id, or undefined after reporting why not. */
function pipelineSignal(root: MapNode, id: string, problems: Problems): Signal | undefined {
  const slash = id.indexOf('/');
  const type = slash < 0 ? id : id.slice(0, slash);
  const where = locate(root, ['service', 'pipelines', id]).keyPos;
  if (!(SIGNALS as readonly string[]).includes(type)) {
    const near = closest(type, SIGNALS);
    problems.error(where, ['service', 'pipelines', id], `unknown signal "${type}" in pipeline id "${id}"${near ? `; did you mean "${near}"?` : ''}; a pipeline id is traces, metrics or logs, optionally followed by /name`);
    return undefined;
  }
  if (slash >= 0 && !/^[^\s/]+$/.test(id.slice(slash + 1))) {
    problems.error(where, ['service', 'pipelines', id], `invalid pipeline id "${id}": the name after "/" must be non-empty, without "/" or spaces`);
    return undefined;
  }
  return type as Signal;
}

/** Every id of one list exists in its section, appears once, and supports the pipeline's signal. */
function checkRole(root: MapNode, p: PipelineConfig, role: Role, decl: Declarations, problems: Problems): void {
  const seen = new Set<string>();
  p[role].forEach((name, i) => {
    const path = ['service', 'pipelines', p.id, role, i];
    const pos = locate(root, path).pos;
    if (seen.has(name)) problems.error(pos, path, `"${name}" is listed more than once`);
    seen.add(name);
    const found = LOOKUP[role].find(([section]) => decl[section].has(name));
    if (!found) {
      problems.error(pos, path, notConfigured(name, role, decl));
      return;
    }
    const [section, kind] = found;
    if (section !== 'connectors' && role !== 'processors' && decl.connectors.has(name)) {
      problems.error(pos, path, `"${name}" is configured both under "${section}" and under "connectors"; rename one so the pipeline is unambiguous`);
      return;
    }
    const d = decl[section].get(name)!;
    // Connectors are checked as a whole afterwards: which side they are on matters.
    if (section === 'connectors' || !d.factory) return;
    if (d.factory.stability[p.signal] === undefined) {
      const supported = SIGNALS.filter((s) => d.factory!.stability[s] !== undefined);
      problems.error(pos, path, `${kind} "${name}" does not support ${p.signal}; it supports ${supported.length > 0 ? supported.join(', ') : 'no signal'}`);
    }
  });
}

function notConfigured(name: string, role: Role, decl: Declarations): string {
  const sections = LOOKUP[role].map(([s]) => s);
  const kind = LOOKUP[role][0]![1];
  const elsewhere = (Object.keys(decl) as Section[]).find((s) => !sections.includes(s) && decl[s].has(name));
  if (elsewhere) return `"${name}" is configured under "${elsewhere}", which cannot serve as ${role === 'processors' ? 'a processor' : `${kind === 'exporter' ? 'an' : 'a'} ${kind}`} here`;
  const known = sections.flatMap((s) => [...decl[s].keys()]);
  const near = closest(name, known);
  return `${kind} "${name}" is not configured; add it under "${sections[0]}"${near ? ` (did you mean "${near}"?)` : ''}`;
}

/** `service.extensions` names configured extensions, each once. */
function checkExtensions(root: MapNode, service: unknown, decl: Declarations, problems: Problems): void {
  const list = isRecord(service) && Array.isArray(service.extensions) ? service.extensions : [];
  const seen = new Set<unknown>();
  list.forEach((name, i) => {
    if (typeof name !== 'string') return; // a schema error already
    const path = ['service', 'extensions', i];
    const pos = locate(root, path).pos;
    if (seen.has(name)) problems.error(pos, path, `"${name}" is listed more than once`);
    seen.add(name);
    if (!decl.extensions.has(name)) {
      const near = closest(name, decl.extensions.keys());
      problems.error(pos, path, `extension "${name}" is not configured; add it under "extensions"${near ? ` (did you mean "${near}"?)` : ''}`);
    }
  });
}

/** Configured components no pipeline uses (extensions not enabled) are warnings: likely a forgotten line. */
function warnUnused(pipelines: readonly PipelineConfig[], service: unknown, decl: Declarations, problems: Problems): void {
  // Ids are per section: a receiver and an exporter may both be called "otlp".
  const usedAs = (roles: readonly Role[]) => new Set(pipelines.flatMap((p) => roles.flatMap((r) => p[r])));
  const used: Record<'receivers' | 'processors' | 'connectors' | 'exporters', Set<string>> = {
    receivers: usedAs(['receivers']),
    processors: usedAs(['processors']),
    connectors: usedAs(['receivers', 'exporters']),
    exporters: usedAs(['exporters']),
  };
  const enabled = new Set(isRecord(service) && Array.isArray(service.extensions) ? service.extensions : []);
  for (const section of ['receivers', 'processors', 'connectors', 'exporters'] as const) {
    for (const [id, d] of decl[section]) {
      if (!used[section].has(id)) problems.warn(d.keyPos, [section, id], `${section.slice(0, -1)} "${id}" is configured but not used in any pipeline`);
    }
  }
  for (const [id, d] of decl.extensions) {
    if (!enabled.has(id)) problems.warn(d.keyPos, ['extensions', id], `extension "${id}" is configured but not enabled in service::extensions`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

