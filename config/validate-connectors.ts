/**
 * Connector wiring: a connector is the exporter of some pipelines and the receiver of others. Each
 * side must be used, each exporting pipeline's signal must be accepted and lead to some receiving
 * pipeline, each receiving pipeline must be fed by some exporting one, and no chain of connectors
 * may lead a pipeline back into itself.
 */
import type { ConnectorFactory } from '../pipeline/component.js';
import type { Signal } from '../pdata/payload.js';
import { SIGNALS } from '../pdata/payload.js';
import type { Problems } from './errors.js';
import type { PipelineConfig } from './model.js';
import type { MapNode } from './positions.js';
import { locate } from './positions.js';
import type { Declared } from './validate-components.js';

/** True when a connector of this factory turns `from` data into `to` data. */
export function connects(f: ConnectorFactory, from: Signal, to: Signal): boolean {
  return f.stability[from] !== undefined && (f.connects[from] ?? []).includes(to);
}

/** Checks both sides of every connector used in `pipelines`, then looks for cycles. */
export function checkConnectors(root: MapNode, pipelines: readonly PipelineConfig[], connectors: ReadonlyMap<string, Declared>, problems: Problems): void {
  const at = (p: PipelineConfig, role: 'receivers' | 'exporters', id: string) => {
    const path = ['service', 'pipelines', p.id, role, p[role].indexOf(id)];
    return { pos: locate(root, path).pos, path };
  };
  for (const [id, d] of connectors) {
    const f = d.factory as ConnectorFactory | undefined;
    const from = pipelines.filter((p) => p.exporters.includes(id));
    const to = pipelines.filter((p) => p.receivers.includes(id));
    if (!f) continue; // unknown type, reported already
    for (const a of from) {
      const { pos, path } = at(a, 'exporters', id);
      if (f.stability[a.signal] === undefined) {
        problems.error(pos, path, `connector "${id}" does not accept ${a.signal}; it connects ${describe(f)}`);
      } else if (to.length === 0) {
        problems.error(pos, path, `connector "${id}" is used as an exporter but no pipeline lists it as a receiver`);
      } else if (!to.some((b) => connects(f, a.signal, b.signal))) {
        problems.error(pos, path, `connector "${id}" gets ${a.signal} here but no pipeline it feeds takes what it makes of them (it connects ${describe(f)}; it feeds ${to.map((b) => b.id).join(', ')})`);
      }
    }
    for (const b of to) {
      const { pos, path } = at(b, 'receivers', id);
      if (from.length === 0) {
        problems.error(pos, path, `connector "${id}" is used as a receiver but no pipeline lists it as an exporter`);
      } else if (!from.some((a) => connects(f, a.signal, b.signal))) {
        problems.error(pos, path, `connector "${id}" cannot produce ${b.signal} from what it is given (${[...new Set(from.map((a) => a.signal))].join(', ')}); it connects ${describe(f)}`);
      }
    }
  }
  findCycles(root, pipelines, connectors, problems);
}

function describe(f: ConnectorFactory): string {
  const pairs = SIGNALS.flatMap((from) => (f.stability[from] === undefined ? [] : (f.connects[from] ?? []).map((to) => `${from} -> ${to}`)));
  return pairs.length > 0 ? pairs.join(', ') : 'nothing';
}

interface Edge {
  readonly to: number;
  readonly via: string;
}

/** Reports each cycle of pipelines linked through connectors once, at the exporter entry that closes it. */
function findCycles(root: MapNode, pipelines: readonly PipelineConfig[], connectors: ReadonlyMap<string, Declared>, problems: Problems): void {
  const edges: Edge[][] = pipelines.map((a) =>
    a.exporters.flatMap((via) => {
      const f = connectors.get(via)?.factory as ConnectorFactory | undefined;
      if (!f) return [];
      return pipelines.flatMap((b, j) => (b.receivers.includes(via) && connects(f, a.signal, b.signal) ? [{ to: j, via }] : []));
    }),
  );
  const state = new Array<0 | 1 | 2>(pipelines.length).fill(0); // unvisited, on the stack, done
  const stack: Array<{ node: number; via?: string }> = [];
  const reported = new Set<string>();
  const visit = (n: number): void => {
    state[n] = 1;
    for (const e of edges[n]!) {
      stack.push({ node: n, via: e.via });
      if (state[e.to] === 1) report(e.to);
      else if (state[e.to] === 0) visit(e.to);
      stack.pop();
    }
    state[n] = 2;
  };
  const report = (start: number): void => {
    const cycle = stack.slice(stack.findIndex((s) => s.node === start));
    const key = cycle.map((s) => `${s.node}>${s.via}`).sort().join('|');
    if (reported.has(key)) return;
    reported.add(key);
    const text = cycle.map((s) => `${pipelines[s.node]!.id} -> ${s.via}`).join(' -> ');
    const first = pipelines[cycle[0]!.node]!;
    const path = ['service', 'pipelines', first.id, 'exporters', first.exporters.indexOf(cycle[0]!.via!)];
    problems.error(locate(root, path).pos, path, `pipelines form a cycle through connectors: ${text} -> ${first.id}`);
  };
  pipelines.forEach((_, i) => {
    if (state[i] === 0) visit(i);
  });
}
