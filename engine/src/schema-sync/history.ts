import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import type { PackageDef } from '../core/model.js';

export interface MetaVersionRow {
  version: number;
  package: PackageDef;
  hash: string;
  comment: string | null;
  created_by: string | null;
  created_at: Date;
  changes: unknown;
}

/** Metadata versions live in the platform schema, one row per deploy, never updated. */
export function metaVersions(db: Knex | Knex.Transaction, platform: Ident) {
  const table = () => db.withSchema(platform).table('meta_versions');
  return {
    async latest(tenantId: string): Promise<MetaVersionRow | null> {
      const row = await table().where({ tenant_id: tenantId }).orderBy('version', 'desc').first();
      return (row as MetaVersionRow | undefined) ?? null;
    },
    async get(tenantId: string, version: number): Promise<MetaVersionRow | null> {
      return (
        ((await table().where({ tenant_id: tenantId, version }).first()) as MetaVersionRow | undefined) ??
        null
      );
    },
    async list(tenantId: string) {
      return table()
        .where({ tenant_id: tenantId })
        .orderBy('version', 'desc')
        .select('version', 'hash', 'comment', 'created_by', 'created_at', 'changes');
    },
    async insert(row: Omit<MetaVersionRow, 'created_at'> & { tenant_id: string }) {
      await table().insert({
        ...row,
        package: JSON.stringify(row.package),
        changes: JSON.stringify(row.changes),
      });
    },
  };
}
