/** The PromQL syntax tree vigil evaluates, built from the Prometheus grammar's parse tree (parse.ts). */

/** A label matcher; `regex` is the anchored regular expression of `=~` and `!~`. */
export interface Matcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
  readonly regex?: RegExp;
}

/** The static type of an expression, as Prometheus' type checker names it. */
export type ValueType = 'scalar' | 'string' | 'vector' | 'matrix';

/** Vector matching of a binary operation between two vectors. */
export interface VectorMatching {
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** true for `on(...)`, false for `ignoring(...)` (and no modifier). */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** The labels of `group_left(...)` / `group_right(...)`. */
  readonly include: readonly string[];
}

/** Arithmetic, comparison and set operators. */
export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '^' | 'atan2'
  | '==' | '!=' | '>' | '<' | '>=' | '<='
  | 'and' | 'or' | 'unless';

/** Aggregation operators vigil supports. */
export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'topk' | 'bottomk' | 'quantile';

/** A PromQL expression; `pos` is the character offset of the node in the expression text. */
export type Expr =
  | { readonly type: 'number'; readonly value: number; readonly pos: number }
  | { readonly type: 'string'; readonly value: string; readonly pos: number }
  | VectorSelector
  | { readonly type: 'matrix'; readonly selector: VectorSelector; readonly rangeMs: number; readonly pos: number }
  | { readonly type: 'call'; readonly func: string; readonly args: readonly Expr[]; readonly pos: number }
  | {
      readonly type: 'aggregate';
      readonly op: AggregateOp;
      readonly param: Expr | undefined;
      readonly expr: Expr;
      readonly grouping: readonly string[];
      readonly without: boolean;
      readonly pos: number;
    }
  | {
      readonly type: 'binary';
      readonly op: BinaryOp;
      readonly lhs: Expr;
      readonly rhs: Expr;
      readonly returnBool: boolean;
      readonly matching: VectorMatching;
      readonly pos: number;
    }
  | { readonly type: 'unary'; readonly op: '-' | '+'; readonly expr: Expr; readonly pos: number };

/** An instant vector selector; `offsetMs` applies to it (and to the range vector built on it). */
export interface VectorSelector {
  readonly type: 'selector';
  readonly name: string | undefined;
  readonly matchers: readonly Matcher[];
  readonly offsetMs: number;
  readonly pos: number;
}

/** A PromQL error at a character offset of the expression (parse, type or evaluation error). */
export class PromqlError extends Error {
  override readonly name = 'PromqlError';

  constructor(
    message: string,
    /** Character offset in the expression text. */
    readonly pos: number,
  ) {
    super(message);
  }
}

/** Line and column (both 1-based) of character offset `pos` in `text`. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}
