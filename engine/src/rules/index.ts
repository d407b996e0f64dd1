/** The expression layer: json-logic with an allow-list, our operations and a deploy-time type checker. */
export {
  ALLOWED_OPS,
  CONTEXT_NAMES,
  EXPR_LIMITS,
  SIGNATURES,
  checkExpression,
  checkTyped,
  typeNames,
  fits,
  type Expect,
} from './check.js';
export { CUSTOM_OPS, isBlank } from './ops.js';
export { REGEX_LIMITS, regexProblem, safeRegexTest } from './regex.js';
export {
  compileExpression,
  evalData,
  evaluate,
  exprCost,
  RULE_WORK,
  truthy,
  ExpressionError,
  type CompiledExpr,
  type EvalData,
  type EvalInput,
} from './logic.js';
export type { CheckResult, ExprEnv, ExprIssue, ExprRefs, ExprType, FieldInfo } from './types.js';
export { envFromObjects, exprTypeOf } from './env.js';
