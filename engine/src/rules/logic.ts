import jsonLogic from 'json-logic-js';
import { checkTyped, type Expect } from './check.js';
import { CTX, isBlank, registerOperations, type EvalContext } from './ops.js';
import { regexCost } from './regex.js';
import type { CheckResult, ExprEnv } from './types.js';

registerOperations();

/** A checked expression, with its `var` paths rewritten to where evaluation data keeps them. */
export interface CompiledExpr {
  logic: unknown;
  refs: CheckResult['refs'];
  type: CheckResult['type'];
  /** Work units of one evaluation (see RULE_WORK). */
  cost: number;
}

/**
 * What evaluating rules may cost, in work units of about a microsecond: every expression node is
 * 1, a regex test 10 to 110 by the size of its RE2 program (regexCost). A write request may spend
 * at most `perRequest` units on rules: records × (units of the object's rules), about a second.
 */
export const RULE_WORK = { node: 1, perRequest: 1_000_000 } as const;

/** Work units of one evaluation of an expression. */
export function exprCost(e: unknown): number {
  if (Array.isArray(e)) return e.reduce((n: number, x) => n + exprCost(x), 0);
  if (!e || typeof e !== 'object') return 0;
  const [op] = Object.keys(e);
  const args = (e as Record<string, unknown>)[op];
  const own = op === 'regex_test' && Array.isArray(args) ? regexCost(args[1], args[2] ?? '') : 0;
  return RULE_WORK.node + own + exprCost(args);
}

export class ExpressionError extends Error {
  constructor(readonly issues: CheckResult['issues']) {
    super(`invalid expression: ${issues.map((i) => `${i.pointer || '/'} ${i.code}`).join('; ')}`);
  }
}

/**
 * Checks and prepares an expression once (per metadata version). Context and lookup paths move
 * under `$` keys, which no field name can take: `before.x` → `$before.x`, `account.region` →
 * `$lk.account.region`, `user.id` → `$user.id`, `today` → `$today`.
 */
export function compileExpression(expr: unknown, env: ExprEnv, expect: Expect): CompiledExpr {
  const r = checkTyped(expr, env, expect);
  if (r.issues.length) throw new ExpressionError(r.issues);
  return { logic: rewrite(expr), refs: r.refs, type: r.type, cost: exprCost(expr) };
}

function rewritePath(path: string): string {
  const [head, ...rest] = path.split('.');
  if (head === 'before' || head === 'user' || ((head === 'today' || head === 'now') && !rest.length))
    return '$' + path;
  return rest.length ? `$lk.${path}` : path;
}

function rewrite(e: unknown): unknown {
  if (Array.isArray(e)) return e.map(rewrite);
  if (!e || typeof e !== 'object') return e;
  const [op] = Object.keys(e);
  const args = (e as Record<string, unknown>)[op];
  if (op === 'var') {
    if (typeof args === 'string') return { var: rewritePath(args) };
    if (Array.isArray(args)) return { var: [rewritePath(args[0] as string), rewrite(args[1])] };
  }
  return { [op]: rewrite(args) };
}

/** What an expression sees: the record being written, the stored one, who writes and when. */
export interface EvalInput {
  record: Record<string, unknown>;
  before: Record<string, unknown> | null;
  userId: string | null;
  /** 'YYYY-MM-DD' in the tenant's time zone. */
  today: string;
  now: string;
  /** lookup field → the looked-up record (JSON), for `lookup.field` paths. */
  lookups?: Record<string, Record<string, unknown> | null>;
}

export type EvalData = Record<string | symbol, unknown>;

export function evalData(i: EvalInput): EvalData {
  const ctx: EvalContext = { today: i.today, now: i.now, before: i.before };
  return {
    ...i.record,
    $before: i.before ?? {},
    $user: { id: i.userId },
    $today: i.today,
    $now: i.now,
    $lk: i.lookups ?? {},
    [CTX]: ctx,
  };
}

/** Evaluates a compiled expression; a failure inside json-logic is reported as `{ error }`. */
export function evaluate(e: CompiledExpr, data: EvalData): { value: unknown } | { error: string } {
  try {
    const v = jsonLogic.apply(e.logic as Parameters<typeof jsonLogic.apply>[0], data);
    return { value: typeof v === 'number' && !Number.isFinite(v) ? null : v };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** json-logic truthiness ([] is false). */
export const truthy = (v: unknown) => jsonLogic.truthy(v);
export { isBlank };
