import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';

/**
 * The platform schema: tenants, their API tokens and every metadata version ever deployed,
 * plus the safe-cast helpers schema sync uses to test and convert data.
 * Idempotent: safe to run at every boot.
 */
export async function ensurePlatform(knex: Knex, schema: Ident): Promise<void> {
  await knex.transaction(async (trx) => {
    // Serialise concurrent boots of several engine processes.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`tessera:platform:${schema}`]);
    await trx.raw('create schema if not exists ??', [schema]);
    const has = (table: string) => trx.schema.withSchema(schema).hasTable(table);
    if (!(await has('tenants')))
      await trx.schema.withSchema(schema).createTable('tenants', (t) => {
        t.uuid('id').primary();
        t.text('slug').notNullable().unique();
        t.text('name').notNullable();
        t.text('schema_name').notNullable().unique();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
      });
    if (!(await has('api_tokens')))
      await trx.schema.withSchema(schema).createTable('api_tokens', (t) => {
        t.text('token_hash').primary();
        t.uuid('tenant_id').notNullable().references('id').inTable(`${schema}.tenants`).onDelete('CASCADE');
        t.uuid('user_id').notNullable();
        t.text('label').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        t.timestamp('expires_at', { useTz: true });
        // null: everything the user may do; otherwise a subset of read, write, admin.
        t.specificType('scopes', 'text[]');
        t.index(['tenant_id']);
      });
    if (!(await has('meta_versions')))
      await trx.schema.withSchema(schema).createTable('meta_versions', (t) => {
        t.uuid('tenant_id').notNullable().references('id').inTable(`${schema}.tenants`).onDelete('CASCADE');
        t.integer('version').notNullable();
        t.jsonb('package').notNullable();
        t.text('hash').notNullable();
        t.jsonb('changes').notNullable();
        t.text('comment');
        t.text('created_by');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        t.primary(['tenant_id', 'version']);
      });
    if (!(await has('audit_log')))
      await trx.schema.withSchema(schema).createTable('audit_log', (t) => {
        t.bigIncrements('seq').primary();
        t.uuid('tenant_id');
        t.uuid('actor');
        t.text('action').notNullable();
        t.jsonb('detail');
        t.text('ip');
        t.timestamp('at', { useTz: true }).notNullable().defaultTo(trx.fn.now());
        t.index(['tenant_id', 'seq']);
      });
    // Who wrote: user, system, automation:<rule>, approval:<id>, import:<job> (see records/pipeline).
    if (!(await trx.schema.withSchema(schema).hasColumn('audit_log', 'origin')))
      await trx.schema.withSchema(schema).alterTable('audit_log', (t) => {
        t.text('origin');
      });
    if (!(await has('settings')))
      await trx.schema.withSchema(schema).createTable('settings', (t) => {
        t.text('key').primary();
        t.text('value').notNullable();
      });
    await trx
      .withSchema(schema)
      .table('settings')
      .insert({ key: 'cursor_secret', value: randomBytes(32).toString('base64url') })
      .onConflict('key')
      .ignore();
    await createCastHelpers(trx, schema);
  });
}

/** try_<type>(text): the value cast, or NULL when it does not cast (PG 15 has no pg_input_is_valid). */
async function createCastHelpers(trx: Knex.Transaction, schema: Ident) {
  await trx.raw(
    'create or replace function ??.try_numeric(v text) returns numeric language plpgsql immutable as $fn$ begin return v::numeric; exception when others then return null; end $fn$',
    [schema],
  );
  await trx.raw(
    'create or replace function ??.try_date(v text) returns date language plpgsql immutable as $fn$ begin return v::date; exception when others then return null; end $fn$',
    [schema],
  );
  await trx.raw(
    'create or replace function ??.try_timestamptz(v text) returns timestamptz language plpgsql immutable as $fn$ begin return v::timestamptz; exception when others then return null; end $fn$',
    [schema],
  );
  await trx.raw(
    'create or replace function ??.try_boolean(v text) returns boolean language plpgsql immutable as $fn$ begin return v::boolean; exception when others then return null; end $fn$',
    [schema],
  );
  await trx.raw(
    'create or replace function ??.try_uuid(v text) returns uuid language plpgsql immutable as $fn$ begin return v::uuid; exception when others then return null; end $fn$',
    [schema],
  );
}

/** A platform-wide secret shared by every engine process (signs cursors). */
export async function platformSetting(knex: Knex, schema: Ident, key: string): Promise<string> {
  const row = await knex.withSchema(schema).table('settings').where({ key }).first('value');
  if (!row) throw new Error(`platform setting ${key} missing`);
  return row.value as string;
}
