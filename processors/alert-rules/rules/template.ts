/** A small subset of Go's text/template, as Prometheus alert annotations use it; the rest is refused with its position. */
import { humanize, humanize1024, humanizeDuration, humanizePercentage } from './humanize.js';
import { formatFloat } from './go-format.js';
import { sprintf } from './printf.js';

/** The data a template sees: `$labels`/`.Labels`, `$value`/`.Value`, `$externalLabels`, `$externalURL`. */
export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly externalLabels?: Readonly<Record<string, string>>;
  readonly externalURL?: string;
}

/** A template error at a character offset of the template text. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';

  constructor(message: string, readonly pos: number) {
    super(message);
  }
}

type TemplateValue = string | number | Readonly<Record<string, string>>;
type Part = { kind: 'text'; text: string } | { kind: 'action'; commands: Command[]; pos: number };
interface Command {
  readonly words: readonly Word[];
}
type Word = { kind: 'func'; name: string; pos: number } | { kind: 'operand'; read: (d: TemplateData) => TemplateValue; pos: number };

const FUNCTIONS: Readonly<Record<string, (args: TemplateValue[]) => TemplateValue>> = {
  humanize: (a) => humanize(toNumber(a[0])),
  humanize1024: (a) => humanize1024(toNumber(a[0])),
  humanizeDuration: (a) => humanizeDuration(toNumber(a[0])),
  humanizePercentage: (a) => humanizePercentage(toNumber(a[0])),
  printf: (a) => sprintf(toText(a[0] ?? ''), a.slice(1)),
  toUpper: (a) => toText(a[0] ?? '').toUpperCase(),
  toLower: (a) => toText(a[0] ?? '').toLowerCase(),
  index: (a) => {
    const m = a[0];
    return typeof m === 'object' ? (m[toText(a[1] ?? '')] ?? '') : '';
  },
};

/** A parsed template: `render(data)` expands it. */
export class Template {
  private readonly parts: Part[];

  /** Parses `text`; throws TemplateError at the first construct outside the subset. */
  constructor(readonly text: string) {
    this.parts = parseTemplate(text);
  }

  /** Expands the template. */
  render(data: TemplateData): string {
    return this.parts.map((p) => (p.kind === 'text' ? p.text : toText(runPipeline(p.commands, data)))).join('');
  }
}

function toNumber(v: TemplateValue | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new TemplateError(`cannot convert ${JSON.stringify(v)} to a number`, 0);
}

/** Go's default printing: floats as %v, maps as map[k:v …]. */
export function toText(v: TemplateValue): string {
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'string') return v;
  return `map[${Object.keys(v).sort().map((k) => `${k}:${v[k]}`).join(' ')}]`;
}

function runPipeline(commands: readonly Command[], data: TemplateData): TemplateValue {
  let previous: TemplateValue | undefined;
  for (const c of commands) {
    const [head, ...rest] = c.words;
    const args = rest.map((w) => (w.kind === 'operand' ? w.read(data) : ''));
    if (previous !== undefined) args.push(previous);
    if (head === undefined) throw new TemplateError('empty command', 0);
    if (head.kind === 'operand') previous = head.read(data);
    else previous = (FUNCTIONS[head.name] as (a: TemplateValue[]) => TemplateValue)(args);
  }
  return previous ?? '';
}

function parseTemplate(text: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      parts.push({ kind: 'text', text: text.slice(i) });
      break;
    }
    const close = findClose(text, open + 2);
    let body = text.slice(open + 2, close);
    let before = text.slice(i, open);
    if (body.startsWith('- ')) {
      before = before.trimEnd();
      body = body.slice(1);
    }
    let trimAfter = false;
    if (body.endsWith(' -')) {
      trimAfter = true;
      body = body.slice(0, -1);
    }
    if (before !== '') parts.push({ kind: 'text', text: before });
    const commands = parseAction(body, open + 2);
    if (commands !== undefined) parts.push({ kind: 'action', commands, pos: open });
    i = close + 2;
    if (trimAfter) while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  }
  return parts;
}

function findClose(text: string, from: number): number {
  let quote = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote !== '') {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === '`') quote = c;
    else if (c === '}' && text[i + 1] === '}') return i;
  }
  throw new TemplateError('unclosed action', from - 2);
}

const TOKEN = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\||\(|\)|[^\s|()]+)/y;

function parseAction(body: string, offset: number): Command[] | undefined {
  if (/^\/\*[\s\S]*\*\/$/.test(body.trim())) return undefined; // a comment
  const commands: Command[] = [{ words: [] }];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(body)) !== null) {
    const tok = m[1] ?? '';
    const pos = offset + m.index + (m[0].length - tok.length);
    if (tok === '|') commands.push({ words: [] });
    else (commands[commands.length - 1]?.words as Word[]).push(parseWord(tok, pos));
  }
  if (body.slice(TOKEN.lastIndex).trim() !== '' && TOKEN.lastIndex !== 0) throw new TemplateError('unexpected text in action', offset + TOKEN.lastIndex);
  for (const c of commands) {
    if (c.words.length === 0) throw new TemplateError('missing command in action', offset);
    const [head, ...rest] = c.words;
    if (head?.kind === 'operand' && rest.length > 0) throw new TemplateError('an operand cannot take arguments', head.pos);
  }
  return commands;
}

function parseWord(tok: string, pos: number): Word {
  if (tok.startsWith('"')) {
    const s = JSON.parse(tok) as string;
    return { kind: 'operand', read: () => s, pos };
  }
  if (tok.startsWith('`')) return { kind: 'operand', read: () => tok.slice(1, -1), pos };
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(tok)) return { kind: 'operand', read: () => Number(tok), pos };
  if (tok in FUNCTIONS) return { kind: 'func', name: tok, pos };
  const read = variable(tok);
  if (read !== undefined) return { kind: 'operand', read, pos };
  throw new TemplateError(`unsupported template construct "${tok}" (vigil supports $labels, $value, $externalLabels, $externalURL and ${Object.keys(FUNCTIONS).join(', ')})`, pos);
}

function variable(tok: string): ((d: TemplateData) => TemplateValue) | undefined {
  const label = /^\.Labels\.(\w+)$/.exec(tok);
  if (label !== null) return (d) => d.labels[label[1] ?? ''] ?? '';
  const [root = '', field, ...more] = tok.split('.');
  if (more.length > 0) return undefined;
  const maps: Record<string, (d: TemplateData) => Readonly<Record<string, string>>> = {
    $labels: (d) => d.labels,
    $externalLabels: (d) => d.externalLabels ?? {},
  };
  if (root === '' && field === 'Labels') return (d) => d.labels;
  if (root === '' && field === 'Value') return (d) => d.value;
  if (root === '$value' && field === undefined) return (d) => d.value;
  if (root === '$externalURL' && field === undefined) return (d) => d.externalURL ?? '';
  const map = maps[root];
  if (map === undefined) return undefined;
  if (field === undefined) return map;
  return (d) => map(d)[field] ?? ''; // Prometheus runs templates with missingkey=zero
}
