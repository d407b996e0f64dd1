import type { Ident } from '../../core/ident.js';
import { FIELD_HISTORY, OUTBOX, RECORD_SHARES, SEQUENCES, USERS } from '../engine-tables.js';
import type { EngineMigration } from './migration.js';

/** A statement and the tables its `??.??` placeholders name, in order (each in the tenant's schema). */
type Step = [sql: string, tables: Ident[]];

/**
 * A tenant's engine tables as the engine made them before migrations existed (commit 5016220).
 * Idempotent: on a tenant made by an older engine it adopts the tables that are there and adds
 * what that version lacked (record teams, field history, users' password/role/profile).
 * New tables reach the tenant's role through the schema's default privileges.
 */
const STEPS: Step[] = [
  [
    'create table if not exists ??.?? (id uuid primary key default gen_random_uuid(), username text not null unique, display_name text not null, email text, password_hash text, role text, profile text, is_admin boolean not null default false, active boolean not null default true, created_at timestamp with time zone not null default now())',
    [USERS],
  ],
  [
    'alter table ??.?? add column if not exists password_hash text, add column if not exists role text, add column if not exists profile text',
    [USERS],
  ],
  [
    'create table if not exists ??.?? (seq bigserial primary key, type text not null, object text not null, record_id uuid not null, actor uuid, payload jsonb, created_at timestamp with time zone not null default now(), dispatched_at timestamp with time zone)',
    [OUTBOX],
  ],
  ['create index if not exists ix_outbox_pending on ??.?? (seq) where dispatched_at is null', [OUTBOX]],
  [
    'create table if not exists ??.?? (field_id uuid not null, period text not null, value bigint not null, primary key (field_id, period))',
    [SEQUENCES],
  ],
  // Record teams: extra people on one record (read or edit), beside owner, hierarchy and rules.
  [
    "create table if not exists ??.?? (object_id uuid not null, record_id uuid not null, user_id uuid not null references ??.?? (id), access text not null check (access in ('read', 'edit')), reason text, created_at timestamp with time zone not null default now(), primary key (object_id, record_id, user_id))",
    [RECORD_SHARES, USERS],
  ],
  ['create index if not exists ix_record_shares_user on ??.?? (user_id, object_id)', [RECORD_SHARES]],
  [
    'create table if not exists ??.?? (seq bigserial primary key, object_id uuid not null, record_id uuid not null, field_id uuid not null, field text not null, old_value jsonb, new_value jsonb, actor uuid, at timestamp with time zone not null default now())',
    [FIELD_HISTORY],
  ],
  [
    'create index if not exists ix_field_history_record on ??.?? (object_id, record_id, seq)',
    [FIELD_HISTORY],
  ],
];

export const tenantBaseline: EngineMigration = {
  name: '0001_tenant_baseline',
  async up(db, { schema }) {
    for (const [sql, tables] of STEPS)
      await db.raw(
        sql,
        tables.flatMap((t) => [schema, t]),
      );
  },
};
