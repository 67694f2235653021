/** `vigil components`: every component type with its signals and stability, like otelcol's. */
import type { Factory } from '../pipeline/component.js';

const KINDS = ['receiver', 'processor', 'connector', 'exporter', 'extension'] as const;

/** Prints the registry as YAML; returns the exit code. */
export function listComponents(factories: readonly Factory[]): number {
  const lines: string[] = [];
  for (const kind of KINDS) {
    lines.push(`${kind}s:`);
    for (const f of factories.filter((x) => x.kind === kind)) {
      lines.push(`  - name: ${f.type}`);
      if (f.aliases?.length) lines.push(`    aliases: [${f.aliases.join(', ')}]`);
      const signals = Object.entries(f.stability);
      if (signals.length === 0) lines.push('    stability: beta');
      else {
        lines.push('    stability:');
        for (const [signal, stability] of signals) lines.push(`      ${signal}: ${stability}`);
      }
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
