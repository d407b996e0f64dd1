/**
 * The static types of the expression language. Pure: the studio imports this layer to check
 * expressions while an admin types them.
 */
export type ExprType = 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'array' | 'null' | 'any';

/** What the checker knows about one name an expression may read. */
export interface FieldInfo {
  type: ExprType;
  /** Allowed values of a picklist, so a typo in a literal is a deploy error. */
  options?: readonly string[];
  /** A lookup: the object it points at (one hop, `account.region`, is allowed). */
  lookup?: string;
}

/** The names an expression may read on one object. */
export interface ExprEnv {
  object: string;
  field(name: string): FieldInfo | undefined;
  /** The environment of a lookup's target object, for `lookup.field` paths. */
  target(lookupField: string): ExprEnv | undefined;
}

/** One problem in an expression, at a JSON pointer relative to the expression's root. */
export interface ExprIssue {
  pointer: string;
  code: string;
  params?: Record<string, unknown>;
}

/** What an expression reads: fields of its object, fields of looked-up records, the stored record. */
export interface ExprRefs {
  fields: Set<string>;
  /** lookup field → target fields read through it. */
  lookups: Map<string, Set<string>>;
  /** fields read from the stored record (`before.x`, `changed`). */
  before: Set<string>;
}

export interface CheckResult {
  type: ExprType;
  issues: ExprIssue[];
  refs: ExprRefs;
}
