/** The rule groups of a processor config: from rule_files (globs) and inline groups, checked with positions. */
import { Problems } from '../../config/errors.js';
import type { ConfigNode } from '../../config/positions.js';
import { PermanentError } from '../../pipeline/errors.js';
import type { Config } from './config.js';
import { glob } from './rules/glob.js';
import type { GroupSpec } from './rules/rule-file.js';
import { loadRuleFile, parseGroups } from './rules/rule-file.js';

/** Inline groups are plain data by now: a tree without positions (the config key path still names them). */
function toNode(value: unknown): ConfigNode {
  const pos = { file: 'processors::alert_rules::groups', line: 0, column: 0 };
  if (Array.isArray(value)) return { kind: 'seq', pos, items: value.map(toNode) };
  if (value !== null && typeof value === 'object') {
    return { kind: 'map', pos, entries: new Map(Object.entries(value).map(([k, v]) => [k, { keyPos: pos, value: toNode(v) }])) };
  }
  return { kind: 'scalar', pos, value, style: 'PLAIN' };
}

/** Loads every group; throws a PermanentError listing every problem (file:line:column key: message). */
export function loadRules(config: Config): GroupSpec[] {
  const problems = new Problems();
  const groups: GroupSpec[] = [];
  for (const pattern of config.rule_files) {
    const files = glob(pattern);
    if (files.length === 0) problems.error({ file: pattern, line: 0, column: 0 }, '', 'no rule file matches this pattern');
    for (const f of files) groups.push(...loadRuleFile(f, problems));
  }
  groups.push(...parseGroups(config.groups.map(toNode), 'groups', ['groups'], problems));
  if (problems.errors.length > 0) throw new PermanentError(`invalid alert rules:\n${problems.errors.map(String).join('\n')}`);
  return groups;
}
