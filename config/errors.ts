/**
 * Config errors are values, never thrown: every check appends to one `Problems` collector, so the
 * user sees all mistakes at once, each with its file, line, column and key path.
 */

/** Where a value came from: a file (or `--set`) and a 1-based line and column; line 0 means "the whole file". */
export interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A key path: map keys and list indexes from the document root. */
export type KeyPath = readonly (string | number)[];

/** One config mistake; `toString()` is the line printed to the operator. */
export class ConfigError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Key path joined with `::`, e.g. `processors::batch::timeout`; empty for whole-document problems. */
  readonly path: string;
  readonly message: string;

  constructor(pos: Position, path: KeyPath | string, message: string) {
    this.file = pos.file;
    this.line = pos.line;
    this.column = pos.column;
    this.path = typeof path === 'string' ? path : joinPath(path);
    this.message = message;
  }

  toString(): string {
    const where = this.line > 0 ? `${this.file}:${this.line}:${this.column}` : this.file;
    return this.path === '' ? `${where}: ${this.message}` : `${where} ${this.path}: ${this.message}`;
  }
}

/** Joins a key path the way errors print it: `a::b::0`. */
export function joinPath(path: KeyPath): string {
  return path.map(String).join('::');
}

/** Collects errors and warnings while the config is loaded and checked. */
export class Problems {
  readonly errors: ConfigError[] = [];
  readonly warnings: ConfigError[] = [];

  error(pos: Position, path: KeyPath | string, message: string): void {
    this.errors.push(new ConfigError(pos, path, message));
  }

  warn(pos: Position, path: KeyPath | string, message: string): void {
    this.warnings.push(new ConfigError(pos, path, message));
  }
}
