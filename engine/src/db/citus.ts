import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';

/**
 * Citus schema-based sharding (Citus 12+, docs/scale.md): on a coordinator with the citus
 * extension, each tenant schema becomes a distributed schema, placed whole on one worker and
 * movable between workers. On plain Postgres and PGlite none of this runs.
 */
export async function hasCitus(knex: Knex): Promise<boolean> {
  const r = await knex.raw("select 1 from pg_extension where extname = 'citus'");
  return r.rows.length > 0;
}

/**
 * Turns a tenant schema, with the engine tables its migrations made, into a distributed schema:
 * its tables become single-shard tables in one colocation group on one worker, and every table a
 * later deploy creates in it joins that group. Run on the coordinator by the schema's owner.
 */
export async function distributeSchema(knex: Knex, schema: Ident): Promise<void> {
  await knex.raw('select citus_schema_distribute(quote_ident(?)::regnamespace)', [schema]);
}
