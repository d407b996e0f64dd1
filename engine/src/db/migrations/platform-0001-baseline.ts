import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Ident } from '../../core/ident.js';
import type { EngineMigration } from './migration.js';

/**
 * The platform tables as the engine made them before migrations existed (commit 5016220):
 * tenants, API tokens, metadata versions, audit log, settings, and the try_* cast helpers.
 * Idempotent (if not exists / add column if not exists), so on a database made by an older
 * engine it adopts what is there and adds only what that version lacked.
 */
export const platformBaseline: EngineMigration = {
  name: '0001_platform_baseline',
  async up(db, { platform: schema }) {
    const has = (table: string) => db.schema.withSchema(schema).hasTable(table);
    if (!(await has('tenants')))
      await db.schema.withSchema(schema).createTable('tenants', (t) => {
        t.uuid('id').primary();
        t.text('slug').notNullable().unique();
        t.text('name').notNullable();
        t.text('schema_name').notNullable().unique();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      });
    if (!(await has('api_tokens')))
      await db.schema.withSchema(schema).createTable('api_tokens', (t) => {
        t.text('token_hash').primary();
        t.uuid('tenant_id').notNullable().references('id').inTable(`${schema}.tenants`).onDelete('CASCADE');
        t.uuid('user_id').notNullable();
        t.text('label').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
        t.timestamp('expires_at', { useTz: true });
        // null: everything the user may do; otherwise a subset of read, write, admin.
        t.specificType('scopes', 'text[]');
        t.index(['tenant_id']);
      });
    // Added after the first release of api_tokens.
    await db.raw('alter table ??.api_tokens add column if not exists scopes text[]', [schema]);
    if (!(await has('meta_versions')))
      await db.schema.withSchema(schema).createTable('meta_versions', (t) => {
        t.uuid('tenant_id').notNullable().references('id').inTable(`${schema}.tenants`).onDelete('CASCADE');
        t.integer('version').notNullable();
        t.jsonb('package').notNullable();
        t.text('hash').notNullable();
        t.jsonb('changes').notNullable();
        t.text('comment');
        t.text('created_by');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
        t.primary(['tenant_id', 'version']);
      });
    if (!(await has('audit_log')))
      await db.schema.withSchema(schema).createTable('audit_log', (t) => {
        t.bigIncrements('seq').primary();
        t.uuid('tenant_id');
        t.uuid('actor');
        t.text('action').notNullable();
        t.jsonb('detail');
        t.text('ip');
        t.timestamp('at', { useTz: true }).notNullable().defaultTo(db.fn.now());
        t.index(['tenant_id', 'seq']);
      });
    if (!(await has('settings')))
      await db.schema.withSchema(schema).createTable('settings', (t) => {
        t.text('key').primary();
        t.text('value').notNullable();
      });
    await db
      .withSchema(schema)
      .table('settings')
      .insert({ key: 'cursor_secret', value: randomBytes(32).toString('base64url') })
      .onConflict('key')
      .ignore();
    await createCastHelpers(db, schema);
  },
};

/** try_<type>(text): the value cast, or NULL when it does not cast (PG 15 has no pg_input_is_valid). */
const CAST_HELPERS = [
  'create or replace function ??.try_numeric(v text) returns numeric language plpgsql immutable as $fn$ begin return v::numeric; exception when others then return null; end $fn$',
  'create or replace function ??.try_date(v text) returns date language plpgsql immutable as $fn$ begin return v::date; exception when others then return null; end $fn$',
  'create or replace function ??.try_timestamptz(v text) returns timestamptz language plpgsql immutable as $fn$ begin return v::timestamptz; exception when others then return null; end $fn$',
  'create or replace function ??.try_boolean(v text) returns boolean language plpgsql immutable as $fn$ begin return v::boolean; exception when others then return null; end $fn$',
  'create or replace function ??.try_uuid(v text) returns uuid language plpgsql immutable as $fn$ begin return v::uuid; exception when others then return null; end $fn$',
];

async function createCastHelpers(db: Knex, schema: Ident) {
  for (const sql of CAST_HELPERS) await db.raw(sql, [schema]);
}
