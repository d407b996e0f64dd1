import type { Knex } from 'knex';
import type { CompiledObject } from '../metadata/compile.js';
import { perObject } from '../metadata/per-object.js';

export type ObjectOp = 'create' | 'read' | 'edit' | 'delete' | 'transfer';

/**
 * What the caller may do, as the records service asks it. The security layer implements it per
 * principal; records only applies it, on every path: list, get, expand, filter, sort, aggregate,
 * and every write.
 */
export interface AccessPolicy {
  /** The caller's profile (its business types, their default); absent for administrators and system work. */
  profile?: string | null;
  /** Object-level permission. */
  can(o: CompiledObject, op: ObjectOp): boolean;
  /** Field names the caller may read (system fields are always readable). */
  readable(o: CompiledObject): ReadonlySet<string>;
  /** Field names the caller may write. */
  editable(o: CompiledObject): ReadonlySet<string>;
  /** May the caller read every row of `o` (scopeRead narrows nothing)? */
  readsAll(o: CompiledObject): boolean;
  /** Narrows a query on `o`'s table (aliased or not: `column(name)` qualifies) to visible rows. */
  scopeRead(qb: Knex.QueryBuilder, o: CompiledObject, column: (name: string) => string): void;
  /** Narrows a query to rows the caller may edit and delete. */
  scopeEdit(qb: Knex.QueryBuilder, o: CompiledObject, column: (name: string) => string): void;
}

const allFields = perObject((o): ReadonlySet<string> => new Set(o.fieldList.map((f) => f.name)));

/** Tenant administrators and system work: every object, field and row of the tenant. */
export const ALLOW_ALL: AccessPolicy = {
  can: () => true,
  readable: allFields,
  editable: allFields,
  readsAll: () => true,
  scopeRead: () => undefined,
  scopeEdit: () => undefined,
};
