/**
 * The ONLY way a user-supplied name becomes a SQL identifier.
 * Names are ASCII snake_case, at most 40 characters, and never a reserved word,
 * so they are valid, unquoted-safe Postgres identifiers well under the 63-byte limit.
 */
export type Ident = string & { readonly __ident: unique symbol };

export const API_NAME_PATTERN = '^[a-z][a-z0-9_]{0,39}$';
const API_NAME_RE = new RegExp(API_NAME_PATTERN);

/** Columns every record has; a user field may not take these names. */
export const SYSTEM_FIELDS = [
  'id',
  'owner',
  'created_at',
  'created_by',
  'updated_at',
  'updated_by',
  'version',
] as const;

/**
 * Engine fields of objects with business types or a stage pipeline: the record's type, when it
 * entered its stage and when it is due to leave it (stored), days in the stage and whether it
 * is overdue (computed when read). An object that has them may not have fields of these names
 * (checked at deploy, so objects without business types keep fields they already had).
 */
export const PROCESS_FIELDS = [
  'business_type',
  'stage_entered_at',
  'stage_due_at',
  'days_in_stage',
  'stale',
] as const;

// Postgres reserved key words (SQL:2016 "reserved" in the PG docs appendix) plus names the engine keeps.
const RESERVED = new Set<string>([
  ...SYSTEM_FIELDS,
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'asymmetric',
  'authorization',
  'binary',
  'both',
  'case',
  'cast',
  'check',
  'collate',
  'collation',
  'column',
  'concurrently',
  'constraint',
  'create',
  'cross',
  'current_catalog',
  'current_date',
  'current_role',
  'current_schema',
  'current_time',
  'current_timestamp',
  'current_user',
  'default',
  'deferrable',
  'desc',
  'distinct',
  'do',
  'else',
  'end',
  'except',
  'false',
  'fetch',
  'for',
  'foreign',
  'freeze',
  'from',
  'full',
  'grant',
  'group',
  'having',
  'ilike',
  'in',
  'initially',
  'inner',
  'intersect',
  'into',
  'is',
  'isnull',
  'join',
  'lateral',
  'leading',
  'left',
  'like',
  'limit',
  'localtime',
  'localtimestamp',
  'natural',
  'not',
  'notnull',
  'null',
  'offset',
  'on',
  'only',
  'or',
  'order',
  'outer',
  'overlaps',
  'placing',
  'primary',
  'references',
  'returning',
  'right',
  'select',
  'session_user',
  'similar',
  'some',
  'symmetric',
  'system_user',
  'table',
  'tablesample',
  'then',
  'to',
  'trailing',
  'true',
  'union',
  'unique',
  'user',
  'using',
  'variadic',
  'verbose',
  'when',
  'where',
  'window',
  'with',
  // engine-owned names and words that would confuse the API or JSON handling
  'tenant_id',
  'oid',
  'ctid',
  'xmin',
  'xmax',
  'cmin',
  'cmax',
  'tableoid',
  'proto',
  'constructor',
  'prototype',
  'data',
  'meta',
  'batch',
  'aggregate',
  'openapi',
]);

export function isReservedName(name: string): boolean {
  return RESERVED.has(name);
}

/** Why a name is not acceptable, or null when it is. Used by metadata validation to report nicely. */
export function identProblem(name: unknown): 'pattern' | 'reserved' | null {
  if (typeof name !== 'string' || !API_NAME_RE.test(name)) return 'pattern';
  if (RESERVED.has(name)) return 'reserved';
  return null;
}

/** Checked conversion of an api name to an identifier. Throws on anything not strictly safe. */
export function ident(name: string): Ident {
  const problem = identProblem(name);
  if (problem) throw new Error(`unsafe identifier ${JSON.stringify(name)} (${problem})`);
  return name as Ident;
}

/**
 * Identifiers the engine mints itself (schema names, retired columns, index names). They follow a
 * stricter pattern than api names may and are checked just the same.
 */
const INTERNAL_RE = /^[a-z_][a-z0-9_]{0,62}$/;
export function internalIdent(name: string): Ident {
  if (!INTERNAL_RE.test(name)) throw new Error(`unsafe internal identifier ${JSON.stringify(name)}`);
  return name as Ident;
}

/** A short stable suffix (hex, no dashes) from a uuid, for engine-made names. */
export function compactId(uuid: string): string {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a uuid: ${uuid}`);
  return hex;
}
