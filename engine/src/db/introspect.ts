import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import type { DbSnapshot } from './snapshot.js';

const ON_DELETE: Record<string, 'restrict' | 'set_null' | 'cascade'> = {
  r: 'restrict',
  a: 'restrict',
  n: 'set_null',
  c: 'cascade',
};

/**
 * Reads a tenant schema's tables, columns, indexes and foreign keys from the catalog (3 queries).
 * The engine's own tables (`_users`, `_outbox`…, not retired `_r_` data) are left out: engine
 * migrations own them, and a deploy must never plan changes to them (e.g. drop their indexes).
 */
export async function snapshotSchema(db: Knex | Knex.Transaction, schema: Ident): Promise<DbSnapshot> {
  const cols = await db.raw(
    `select c.relname as t, a.attname as c, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
        and (c.relname !~ '^_' or c.relname ~ '^_r_')`,
    [schema],
  );
  const idx = await db.raw(
    `select i.relname as name, t.relname as t, ix.indisunique as u
       from pg_index ix join pg_class i on i.oid = ix.indexrelid join pg_class t on t.oid = ix.indrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = ? and not ix.indisprimary
        and (t.relname !~ '^_' or t.relname ~ '^_r_')`,
    [schema],
  );
  const fks = await db.raw(
    `select con.conname as name, t.relname as t, rt.relname as rt, con.confdeltype as del
       from pg_constraint con join pg_class t on t.oid = con.conrelid join pg_class rt on rt.oid = con.confrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = ? and con.contype = 'f'`,
    [schema],
  );
  const snap: DbSnapshot = { tables: new Map(), indexes: new Map(), foreignKeys: new Map() };
  for (const r of cols.rows as { t: string; c: string; type: string }[]) {
    if (!snap.tables.has(r.t)) snap.tables.set(r.t, new Map());
    snap.tables.get(r.t)!.set(r.c, r.type);
  }
  for (const r of idx.rows as { name: string; t: string; u: boolean }[])
    snap.indexes.set(r.name, { table: r.t, unique: r.u });
  for (const r of fks.rows as { name: string; t: string; rt: string; del: string }[])
    snap.foreignKeys.set(r.name, { table: r.t, refTable: r.rt, onDelete: ON_DELETE[r.del] ?? 'other' });
  return snap;
}
