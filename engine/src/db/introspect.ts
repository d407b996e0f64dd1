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
 * Reads a tenant schema's tables, columns, indexes and foreign keys from the catalog (4 queries).
 * The engine's own tables (`_users`, `_outbox`…, not retired `_r_` data) are left out of tables
 * and indexes: engine migrations own them, and a deploy must never plan changes to them (e.g.
 * drop their indexes).
 *
 * The tables are found through pg_depend (every table depends on its schema, and that catalog is
 * indexed by what is depended on), the rest by table oid: the cost follows the size of this
 * schema, not of the database. Filtering pg_class or pg_constraint by schema name has no index to
 * use; with a thousand tenants the foreign-key read alone took seconds (it scanned every schema
 * once per constraint in the database), on every deploy.
 */
export async function snapshotSchema(db: Knex | Knex.Transaction, schema: Ident): Promise<DbSnapshot> {
  const tables = await db.raw(
    `select c.oid::text as oid, c.relname as t from pg_depend d join pg_class c on c.oid = d.objid
      where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_namespace'::regclass
        and d.refobjid = (select oid from pg_namespace where nspname = ?) and c.relkind = 'r'`,
    [schema],
  );
  const nameOf = new Map((tables.rows as { oid: string; t: string }[]).map((r) => [r.oid, r.t]));
  const all = [...nameOf.keys()];
  const planned = all.filter((oid) => !/^_/.test(nameOf.get(oid)!) || /^_r_/.test(nameOf.get(oid)!));
  const cols = await db.raw(
    `select a.attrelid::text as oid, a.attname as c, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a where a.attrelid = any(?::oid[]) and a.attnum > 0 and not a.attisdropped`,
    [planned],
  );
  const idx = await db.raw(
    `select i.relname as name, ix.indrelid::text as oid, ix.indisunique as u
       from pg_index ix join pg_class i on i.oid = ix.indexrelid
      where ix.indrelid = any(?::oid[]) and not ix.indisprimary`,
    [planned],
  );
  const fks = await db.raw(
    `select con.conname as name, con.conrelid::text as oid, rt.relname as rt, con.confdeltype as del
       from pg_constraint con join pg_class rt on rt.oid = con.confrelid
      where con.conrelid = any(?::oid[]) and con.contype = 'f'`,
    [all],
  );
  const snap: DbSnapshot = { tables: new Map(), indexes: new Map(), foreignKeys: new Map() };
  for (const r of cols.rows as { oid: string; c: string; type: string }[]) {
    const t = nameOf.get(r.oid)!;
    if (!snap.tables.has(t)) snap.tables.set(t, new Map());
    snap.tables.get(t)!.set(r.c, r.type);
  }
  for (const r of idx.rows as { name: string; oid: string; u: boolean }[])
    snap.indexes.set(r.name, { table: nameOf.get(r.oid)!, unique: r.u });
  for (const r of fks.rows as { name: string; oid: string; rt: string; del: string }[])
    snap.foreignKeys.set(r.name, {
      table: nameOf.get(r.oid)!,
      refTable: r.rt,
      onDelete: ON_DELETE[r.del] ?? 'other',
    });
  return snap;
}
