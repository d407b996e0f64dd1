import type { Knex } from 'knex';
import type { Ident } from '../../core/ident.js';
import type { PackageDef } from '../../core/model.js';
import { USERS } from '../../schema-sync/ddl.js';

/** Reads of the tenant's users that routing needs (active users only, ids in a stable order). */
export const activeUsers = (db: Knex, schema: Ident) =>
  db.withSchema(schema).from(USERS).where('active', true).select('id').orderBy('id');

export async function idsOf(q: Knex.QueryBuilder): Promise<string[]> {
  return ((await q) as { id: string }[]).map((r) => r.id);
}

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: string | null;
  profile: string | null;
  is_admin: boolean;
  active: boolean;
  manager: string | null;
}

export async function userRows(db: Knex, schema: Ident, ids: string[]): Promise<Map<string, UserRow>> {
  if (!ids.length) return new Map();
  const rows = (await db
    .withSchema(schema)
    .from(USERS)
    .whereIn('id', [...new Set(ids)])
    .select(
      'id',
      'username',
      'display_name',
      'role',
      'profile',
      'is_admin',
      'active',
      'manager',
    )) as UserRow[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** The parent of each role (the role hierarchy), from the package. */
export const parentRoles = (pkg: PackageDef) =>
  new Map((pkg.roles ?? []).filter((r) => r.parent).map((r) => [r.name, r.parent!]));
