import type { FieldDef, FieldTypeName, I18nText, JsonValue } from '../core/model.js';

/** A JSON Schema fragment (draft 2020-12 subset used by ajv and OpenAPI 3.1). */
export type JsonSchema = { [k: string]: unknown };

/** Postgres column types the engine uses: boring, portable across PG 15 and PGlite. */
export type PgBase = 'text' | 'integer' | 'numeric' | 'boolean' | 'date' | 'timestamptz' | 'uuid' | 'text[]';

/** How a field is stored: the column type, and for numerics its precision and scale. */
export interface Storage {
  pg: PgBase;
  precision?: number;
  scale?: number;
  /** Foreign key to another object's table (lookups). */
  references?: { object: string; onDelete: 'restrict' | 'set_null' | 'cascade' };
  /** Foreign key to the tenant's users (`_users`), restrict on delete: users are suspended, never deleted. */
  users?: true;
}

export const FILTER_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'startsWith',
  'containsAny',
  'isNull',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** What kind of scalar a filter operand must be. */
export type OperandKind = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'datetime' | 'uuid';

export type AggregateFn = 'sum' | 'avg' | 'min' | 'max';

/**
 * Everything the engine knows about one field type, in one place: its settings, its column,
 * the JSON Schema of its values, its filter operators and how values leave the database.
 */
export interface FieldType {
  name: FieldTypeName;
  label: I18nText;
  /** JSON Schemas of the settings this type accepts beside the common ones. */
  settings: Record<string, JsonSchema>;
  requiredSettings?: string[];
  /** Settings filled in when absent, so storage and validation see complete definitions. */
  defaults?: Partial<FieldDef>;
  storage(f: FieldDef): Storage;
  /** JSON Schema of a non-null value of this field (the engine adds `null` where allowed). */
  valueSchema(f: FieldDef): JsonSchema;
  operand: OperandKind;
  operators: readonly FilterOp[];
  /** False for values the system computes (auto-number, formula, roll-up). */
  writable: boolean;
  sortable: boolean;
  groupable: boolean;
  aggregates: readonly AggregateFn[];
  /** Semantic checks of a definition beyond its JSON Schema; returns issue codes with params. */
  check?(f: FieldDef): { pointer: string; code: string; params?: Record<string, unknown> }[];
  /** Converts a value read from the database into its JSON form. */
  fromDb?(raw: unknown): JsonValue;
  /** For types whose values depend on a setting (a formula's returnType): query traits of one definition. */
  specialize?(
    f: FieldDef,
  ): Partial<Pick<FieldType, 'operand' | 'operators' | 'groupable' | 'aggregates' | 'fromDb'>>;
  /** The widget the studio uses by default. */
  widget: string;
}
