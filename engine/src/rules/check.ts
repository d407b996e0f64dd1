import { text } from '../core/messages.js';
import { regexProblem, regexProblemText } from './regex.js';
import type { CheckResult, ExprEnv, ExprIssue, ExprRefs, ExprType, FieldInfo } from './types.js';

/** Expressions are small: bounded size, depth and node count, so checking and evaluation are cheap. */
export const EXPR_LIMITS = { nodes: 500, depth: 32, bytes: 16 * 1024 } as const;

/** Names that reach into the JavaScript object model: never a field, never an operation. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
/** Names an expression reads besides the object's fields. */
export const CONTEXT_NAMES = ['before', 'user', 'today', 'now'] as const;

type Arg = 'any' | 'number' | 'string' | 'date' | 'boolean';
interface Sig {
  min: number;
  max: number;
  arg: Arg | ((i: number) => Arg);
  result: ExprType | ((args: Node[]) => ExprType);
}
interface Node {
  type: ExprType;
  /** Set when the node is a `var` of a field with options, or a string literal. */
  field?: FieldInfo;
  literal?: unknown;
}

const unify = (args: Node[]): ExprType => {
  const ts = [...new Set(args.map((a) => a.type).filter((t) => t !== 'null'))];
  if (ts.length === 1) return ts[0];
  if (ts.length === 0) return 'null';
  if (ts.every((t) => t === 'date' || t === 'datetime')) return 'datetime';
  return 'any';
};
const N = Infinity;

/** The operation allow-list: json-logic's safe core plus our operations. No loops, no `log`, no `method`. */
export const SIGNATURES: Record<string, Sig> = {
  if: {
    min: 1,
    max: 99,
    arg: 'any',
    result: (a) => unify(a.filter((_, i) => i % 2 === 1 || i === a.length - 1)),
  },
  '?:': { min: 3, max: 3, arg: 'any', result: (a) => unify(a.slice(1)) },
  '==': { min: 2, max: 2, arg: 'any', result: 'boolean' },
  '===': { min: 2, max: 2, arg: 'any', result: 'boolean' },
  '!=': { min: 2, max: 2, arg: 'any', result: 'boolean' },
  '!==': { min: 2, max: 2, arg: 'any', result: 'boolean' },
  '!': { min: 1, max: 1, arg: 'any', result: 'boolean' },
  '!!': { min: 1, max: 1, arg: 'any', result: 'boolean' },
  and: {
    min: 1,
    max: N,
    arg: 'any',
    result: (a) => (a.every((x) => x.type === 'boolean') ? 'boolean' : 'any'),
  },
  or: {
    min: 1,
    max: N,
    arg: 'any',
    result: (a) => (a.every((x) => x.type === 'boolean') ? 'boolean' : 'any'),
  },
  '>': { min: 2, max: 2, arg: 'any', result: 'boolean' },
  '>=': { min: 2, max: 2, arg: 'any', result: 'boolean' },
  '<': { min: 2, max: 3, arg: 'any', result: 'boolean' },
  '<=': { min: 2, max: 3, arg: 'any', result: 'boolean' },
  '+': { min: 1, max: N, arg: 'number', result: 'number' },
  '-': { min: 1, max: 2, arg: 'number', result: 'number' },
  '*': { min: 1, max: N, arg: 'number', result: 'number' },
  '/': { min: 2, max: 2, arg: 'number', result: 'number' },
  '%': { min: 2, max: 2, arg: 'number', result: 'number' },
  min: { min: 1, max: N, arg: 'number', result: 'number' },
  max: { min: 1, max: N, arg: 'number', result: 'number' },
  in: { min: 2, max: 2, arg: 'any', result: 'boolean' },
  cat: { min: 1, max: N, arg: 'any', result: 'string' },
  substr: { min: 2, max: 3, arg: (i) => (i === 0 ? 'string' : 'number'), result: 'string' },
  // ours
  today: { min: 0, max: 0, arg: 'any', result: 'date' },
  now: { min: 0, max: 0, arg: 'any', result: 'datetime' },
  add_days: {
    min: 2,
    max: 2,
    arg: (i) => (i === 0 ? 'date' : 'number'),
    result: (a) => (a[0].type === 'datetime' ? 'datetime' : 'date'),
  },
  add_months: { min: 2, max: 2, arg: (i) => (i === 0 ? 'date' : 'number'), result: 'date' },
  days_between: { min: 2, max: 2, arg: 'date', result: 'number' },
  start_of_month: { min: 1, max: 1, arg: 'date', result: 'date' },
  end_of_month: { min: 1, max: 1, arg: 'date', result: 'date' },
  start_of_quarter: { min: 1, max: 1, arg: 'date', result: 'date' },
  start_of_year: { min: 1, max: 1, arg: 'date', result: 'date' },
  year: { min: 1, max: 1, arg: 'date', result: 'number' },
  month: { min: 1, max: 1, arg: 'date', result: 'number' },
  length: { min: 1, max: 1, arg: 'any', result: 'number' },
  trim: { min: 1, max: 1, arg: 'string', result: 'string' },
  upper: { min: 1, max: 1, arg: 'string', result: 'string' },
  lower: { min: 1, max: 1, arg: 'string', result: 'string' },
  regex_test: { min: 2, max: 3, arg: 'string', result: 'boolean' },
  coalesce: { min: 1, max: N, arg: 'any', result: (a) => unify(a) },
  is_blank: { min: 1, max: 1, arg: 'any', result: 'boolean' },
  round: { min: 1, max: 2, arg: 'number', result: 'number' },
  abs: { min: 1, max: 1, arg: 'number', result: 'number' },
  changed: { min: 1, max: 1, arg: 'string', result: 'boolean' },
};
export const ALLOWED_OPS: readonly string[] = ['var', ...Object.keys(SIGNATURES)];

type Class = 'number' | 'text' | 'boolean' | 'array' | 'open';
const classOf = (t: ExprType): Class =>
  t === 'number'
    ? 'number'
    : t === 'string' || t === 'date' || t === 'datetime'
      ? 'text'
      : t === 'boolean'
        ? 'boolean'
        : t === 'array'
          ? 'array'
          : 'open';

function accepts(want: Arg, got: ExprType): boolean {
  if (want === 'any' || got === 'any' || got === 'null') return true;
  if (want === 'number') return got === 'number';
  if (want === 'string') return got === 'string' || got === 'date' || got === 'datetime';
  if (want === 'date') return got === 'date' || got === 'datetime';
  return got === want;
}

const esc = (s: string | number) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
const literalType = (v: string): ExprType =>
  /^\d{4}-\d{2}-\d{2}$/.test(v)
    ? 'date'
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)
      ? 'datetime'
      : 'string';

/**
 * Type-checks an expression against an object's fields: allowed operations only, `var` paths
 * resolved to known fields (`field`, `lookup.field`, `before.field`, `user.id`, `today`, `now`),
 * argument types, picklist literals, regex safety, size limits. Collects every issue.
 */
export function checkExpression(expr: unknown, env: ExprEnv): CheckResult {
  const issues: ExprIssue[] = [];
  const refs: ExprRefs = { fields: new Set(), lookups: new Map(), before: new Set() };
  let bytes = 0;
  try {
    bytes = JSON.stringify(expr ?? null).length;
  } catch {
    bytes = Infinity;
  }
  if (bytes > EXPR_LIMITS.bytes) {
    issues.push({
      pointer: '',
      code: 'EXPR_TOO_BIG',
      params: { nodes: EXPR_LIMITS.nodes, depth: EXPR_LIMITS.depth, bytes: EXPR_LIMITS.bytes },
    });
    return { type: 'any', issues, refs };
  }
  let nodes = 0;
  let tooBig = false;
  const issue = (pointer: string, code: string, params?: Record<string, unknown>) =>
    issues.push({ pointer, code, params: params && typeNames(params) });

  const resolve = (path: string, at: string): Node => {
    const parts = path.split('.');
    if (parts.some((p) => FORBIDDEN.has(p))) {
      issue(at, 'EXPR_FORBIDDEN_NAME', { name: path });
      return { type: 'any' };
    }
    const [head, ...rest] = parts;
    const bad = () => {
      issue(at, 'EXPR_UNKNOWN_FIELD', { field: path, object: env.object });
      return { type: 'any' } as Node;
    };
    if (head === 'today' && !rest.length) return { type: 'date' };
    if (head === 'now' && !rest.length) return { type: 'datetime' };
    if (head === 'user') return rest.length === 1 && rest[0] === 'id' ? { type: 'string' } : bad();
    if (head === 'before') {
      const f = rest.length === 1 ? env.field(rest[0]) : undefined;
      if (!f) return bad();
      refs.before.add(rest[0]);
      return { type: f.type, field: f };
    }
    const f = env.field(head);
    if (!f) return bad();
    if (!rest.length) {
      refs.fields.add(head);
      return { type: f.type, field: f };
    }
    const target = f.lookup ? env.target(head) : undefined;
    const tf = rest.length === 1 ? target?.field(rest[0]) : undefined;
    if (!tf) return bad();
    refs.fields.add(head);
    const set = refs.lookups.get(head) ?? new Set<string>();
    set.add(rest[0]);
    refs.lookups.set(head, set);
    return { type: tf.type, field: tf };
  };

  const optionCheck = (a: Node, b: Node, at: string) => {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ])
      if (x.field?.options && typeof y.literal === 'string' && !x.field.options.includes(y.literal))
        issue(at, 'EXPR_NOT_AN_OPTION', { value: y.literal, options: x.field.options.join(', ') });
  };

  const walk = (v: unknown, at: string, depth: number): Node => {
    nodes += 1;
    if (nodes > EXPR_LIMITS.nodes || depth > EXPR_LIMITS.depth) {
      if (!tooBig)
        issue('', 'EXPR_TOO_BIG', {
          nodes: EXPR_LIMITS.nodes,
          depth: EXPR_LIMITS.depth,
          bytes: EXPR_LIMITS.bytes,
        });
      tooBig = true;
      return { type: 'any' };
    }
    if (v === null) return { type: 'null', literal: null };
    if (typeof v === 'string') return { type: literalType(v), literal: v };
    if (typeof v === 'number') return { type: 'number', literal: v };
    if (typeof v === 'boolean') return { type: 'boolean', literal: v };
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${at}/${i}`, depth + 1));
      return { type: 'array', literal: v.every((x) => typeof x !== 'object' || x === null) ? v : undefined };
    }
    if (typeof v !== 'object') {
      issue(at, 'EXPR_BAD_NODE');
      return { type: 'any' };
    }
    const keys = Object.keys(v);
    if (keys.length !== 1) {
      issue(at, 'EXPR_BAD_NODE');
      return { type: 'any' };
    }
    const op = keys[0];
    const opAt = `${at}/${esc(op)}`;
    if (FORBIDDEN.has(op)) {
      issue(opAt, 'EXPR_FORBIDDEN_NAME', { name: op });
      return { type: 'any' };
    }
    const raw = (v as Record<string, unknown>)[op];
    const argv = Array.isArray(raw) ? raw : [raw];
    const argAt = (i: number) => (Array.isArray(raw) ? `${opAt}/${i}` : opAt);
    if (op === 'var') {
      const path = argv[0];
      if (typeof path !== 'string' || argv.length > 2) {
        issue(opAt, 'EXPR_VAR_PATH');
        return { type: 'any' };
      }
      const node = resolve(path, argAt(0));
      if (argv.length === 2) {
        const d = walk(argv[1], argAt(1), depth + 1);
        if (
          classOf(d.type) !== classOf(node.type) &&
          classOf(d.type) !== 'open' &&
          classOf(node.type) !== 'open'
        )
          issue(argAt(1), 'EXPR_TYPE_MISMATCH', { expected: node.type, actual: d.type });
      }
      return node;
    }
    const sig = SIGNATURES[op];
    if (!sig) {
      issue(opAt, 'EXPR_UNKNOWN_OP', { op, allowed: ALLOWED_OPS.join(', ') });
      return { type: 'any' };
    }
    if (argv.length < sig.min || argv.length > sig.max)
      issue(opAt, 'EXPR_ARITY', { op, min: sig.min, max: sig.max === N ? '∞' : sig.max, count: argv.length });
    if (op === 'changed') {
      const name = argv[0];
      if (typeof name !== 'string' || !env.field(name))
        issue(argAt(0), 'EXPR_UNKNOWN_FIELD', { field: String(name), object: env.object });
      else {
        refs.fields.add(name);
        refs.before.add(name);
      }
      nodes += 1;
      return { type: 'boolean' };
    }
    if (op === 'regex_test') {
      const [, pattern, flags] = argv;
      if (typeof pattern !== 'string' || (flags !== undefined && typeof flags !== 'string'))
        issue(argAt(1), 'EXPR_BAD_REGEX', { reason: text('R_REGEX_NOT_LITERAL') });
      else {
        const p = regexProblem(pattern, flags ?? '');
        if (p) issue(argAt(1), 'EXPR_BAD_REGEX', { reason: regexProblemText(p), problem: p });
      }
    }
    const args = argv.map((a, i) => walk(a, argAt(i), depth + 1));
    args.forEach((a, i) => {
      const want = typeof sig.arg === 'function' ? sig.arg(i) : sig.arg;
      if (!accepts(want, a.type)) issue(argAt(i), 'EXPR_TYPE_MISMATCH', { expected: want, actual: a.type });
    });
    if (op === '==' || op === '!=' || op === '===' || op === '!==') {
      const [a, b] = args;
      if (a && b) {
        const ca = classOf(a.type);
        const cb = classOf(b.type);
        if (ca !== 'open' && cb !== 'open' && ca !== cb)
          issue(opAt, 'EXPR_TYPE_MISMATCH', { expected: a.type, actual: b.type });
        optionCheck(a, b, opAt);
      }
    }
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      const classes = new Set(args.map((a) => classOf(a.type)).filter((c) => c !== 'open'));
      if (classes.size > 1 || classes.has('boolean') || classes.has('array'))
        issue(opAt, 'EXPR_TYPE_MISMATCH', {
          expected: 'numbers or dates',
          actual: args.map((a) => a.type).join(', '),
        });
    }
    if (op === 'in' && args.length === 2) {
      const [needle, hay] = args;
      if (!['string', 'array', 'any', 'null', 'date', 'datetime'].includes(hay.type))
        issue(argAt(1), 'EXPR_TYPE_MISMATCH', { expected: 'string or array', actual: hay.type });
      if (Array.isArray(hay.literal))
        for (const x of hay.literal) optionCheck(needle, { type: 'string', literal: x }, argAt(1));
      if (hay.field?.options && typeof needle.literal === 'string') optionCheck(hay, needle, argAt(0));
    }
    return { type: typeof sig.result === 'function' ? sig.result(args) : sig.result };
  };
  const root = walk(expr, '', 1);
  return { type: root.type, issues, refs };
}

/** What a rule's expression must produce. */
export type Expect = 'condition' | ExprType;

/** Does a result type fit what the place expects (a condition, or a field's type)? */
export function fits(expect: Expect, got: ExprType): boolean {
  if (got === 'any' || got === 'null') return true;
  if (expect === 'condition') return got === 'boolean';
  if (expect === 'any') return true;
  if (expect === 'string') return got !== 'array';
  if (expect === 'date') return got === 'date' || got === 'datetime';
  if (expect === 'datetime') return got === 'date' || got === 'datetime';
  return got === expect;
}

const TYPE_TEXT: Record<string, string> = {
  string: 'T_TEXT',
  number: 'T_NUMBER',
  boolean: 'T_BOOLEAN',
  date: 'T_DATE',
  datetime: 'T_DATETIME',
  array: 'T_LIST',
  null: 'T_EMPTY',
  any: 'T_ANY',
  integer: 'T_INTEGER',
  uuid: 'T_ID',
  object: 'T_OBJECT',
  undefined: 'T_EMPTY',
  'numbers or dates': 'T_NUMBERS_OR_DATES',
  'string or array': 'T_TEXT_OR_LIST',
};

/** `expected` and `actual` type names in the reader's language ('number, date' → 数字、日期). */
export function typeNames(params: Record<string, unknown>): Record<string, unknown> {
  const out = { ...params };
  for (const k of ['expected', 'actual'] as const) {
    const v = params[k];
    if (typeof v !== 'string') continue;
    const parts = (TYPE_TEXT[v] ? [v] : v.split(', ')).map((t) => (TYPE_TEXT[t] ? text(TYPE_TEXT[t]) : null));
    if (parts.some((x) => !x)) continue;
    out[k] = {
      en: parts.map((x) => x!.en).join(', '),
      'zh-CN': parts.map((x) => x!['zh-CN']).join('、'),
    };
  }
  return out;
}

/** Checks an expression and that its result fits; issues carry pointers relative to the expression. */
export function checkTyped(expr: unknown, env: ExprEnv, expect: Expect): CheckResult {
  const r = checkExpression(expr, env);
  if (!r.issues.length && !fits(expect, r.type))
    r.issues.push({
      pointer: '',
      code: 'EXPR_RESULT_TYPE',
      params: typeNames({ expected: expect === 'condition' ? 'boolean' : expect, actual: r.type }),
    });
  return r;
}
