/** A Go fmt.Sprintf subset for templates: %s %v %d %f %g %e %q %%, with flags, width and precision. */
import { formatE, formatF, formatFloat, formatG } from './go-format.js';

type Arg = string | number | Readonly<Record<string, string>>;

const VERB = /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([svdfgeEq%])/g;

/** Formats `args` by `format` as Go's fmt.Sprintf would for these verbs. */
export function sprintf(format: string, args: readonly Arg[]): string {
  let next = 0;
  const out = format.replace(VERB, (_all, flags: string, width: string | undefined, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[next++];
    if (arg === undefined) return `%!${verb}(MISSING)`;
    const text = formatOne(arg, verb, precision === undefined ? undefined : Number(precision), flags);
    return pad(text, width === undefined ? 0 : Number(width), flags);
  });
  return next < args.length ? `${out}%!(EXTRA ${args.slice(next).map(String).join(', ')})` : out;
}

function formatOne(arg: Arg, verb: string, precision: number | undefined, flags: string): string {
  if (typeof arg === 'object') return `map[${Object.keys(arg).sort().map((k) => `${k}:${arg[k]}`).join(' ')}]`;
  if (verb === 's' || verb === 'v') return typeof arg === 'number' ? formatFloat(arg) : arg;
  if (verb === 'q') return JSON.stringify(String(arg));
  const n = typeof arg === 'number' ? arg : Number(arg);
  if (typeof arg === 'string' && Number.isNaN(n)) return `%!${verb}(string=${arg})`;
  let text: string;
  switch (verb) {
    case 'd': text = Number.isInteger(n) ? String(n) : `%!d(float64=${formatFloat(n)})`; break;
    case 'f': text = formatF(n, precision ?? 6); break;
    case 'e': case 'E': text = formatE(n, precision ?? 6); break;
    default: text = precision === undefined ? formatFloat(n) : formatG(n, precision);
  }
  if (verb === 'E') text = text.toUpperCase();
  return flags.includes('+') && n >= 0 ? `+${text}` : text;
}

function pad(text: string, width: number, flags: string): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  return flags.includes('0') ? text.padStart(width, '0') : text.padStart(width);
}
