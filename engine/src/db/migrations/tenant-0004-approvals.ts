import {
  APPROVAL_DECISIONS,
  APPROVAL_REQUESTS,
  APPROVAL_TASKS,
  NOTIFICATIONS,
  USERS,
} from '../engine-tables.js';
import type { Ident } from '../../core/ident.js';
import type { EngineMigration } from './migration.js';

/** A statement and the tables its `??.??` placeholders name, in order (each in the tenant's schema). */
type Step = [sql: string, tables: Ident[]];

const STEPS: Step[] = [
  // One row per round of a record's approval; `definition` is the flow as it was at submit, so a
  // later deploy never reroutes a pending request. At most one pending request per record.
  [
    "create table if not exists ??.?? (id uuid primary key default gen_random_uuid(), flow text not null, meta_version integer not null, definition jsonb not null, object text not null, record_id uuid not null, round integer not null, status text not null check (status in ('pending', 'approved', 'rejected', 'recalled')), submitter uuid not null references ??.?? (id), comment text, current_step integer, step_seq integer not null default 0, step_due_at timestamp with time zone, submitted_at timestamp with time zone not null default now(), decided_at timestamp with time zone)",
    [APPROVAL_REQUESTS, USERS],
  ],
  [
    "create unique index if not exists uq_approval_pending on ??.?? (object, record_id) where status = 'pending'",
    [APPROVAL_REQUESTS],
  ],
  ['create index if not exists ix_approval_record on ??.?? (object, record_id, round)', [APPROVAL_REQUESTS]],
  [
    'create index if not exists ix_approval_submitter on ??.?? (submitter, submitted_at)',
    [APPROVAL_REQUESTS],
  ],
  // Who must decide at a step: one row per approver, with how they came to it.
  [
    "create table if not exists ??.?? (id uuid primary key default gen_random_uuid(), request_id uuid not null references ??.?? (id) on delete cascade, step integer not null, step_seq integer not null, user_id uuid not null references ??.?? (id), status text not null check (status in ('pending', 'waiting', 'approved', 'rejected', 'transferred', 'cancelled')), origin text not null, required boolean not null default false, resumes uuid, comment text, created_at timestamp with time zone not null default now(), decided_at timestamp with time zone)",
    [APPROVAL_TASKS, APPROVAL_REQUESTS, USERS],
  ],
  ['create index if not exists ix_approval_task_user on ??.?? (user_id, status)', [APPROVAL_TASKS]],
  ['create index if not exists ix_approval_task_request on ??.?? (request_id, step_seq)', [APPROVAL_TASKS]],
  // The timeline of every round: submits, decisions, skips, transfers, recalls.
  [
    'create table if not exists ??.?? (seq bigserial primary key, request_id uuid not null references ??.?? (id) on delete cascade, step integer, actor uuid, action text not null, comment text, detail jsonb, at timestamp with time zone not null default now())',
    [APPROVAL_DECISIONS, APPROVAL_REQUESTS],
  ],
  ['create index if not exists ix_approval_decision on ??.?? (request_id, seq)', [APPROVAL_DECISIONS]],
  // In-app notifications: texts rendered in both languages when made.
  [
    'create table if not exists ??.?? (id uuid primary key default gen_random_uuid(), user_id uuid not null references ??.?? (id), kind text not null, title jsonb not null, body jsonb, link jsonb, created_at timestamp with time zone not null default now(), read_at timestamp with time zone)',
    [NOTIFICATIONS, USERS],
  ],
  [
    'create index if not exists ix_notification_user on ??.?? (user_id, (read_at is null), created_at)',
    [NOTIFICATIONS],
  ],
];

/**
 * Approval requests, tasks and decisions, and the in-app notification store (tenant schemas).
 * `if not exists`: tenant schemas made by the approvals branch before it was a migration adopt them.
 */
export const approvalTables: EngineMigration = {
  name: '0004_approvals',
  async up(db, { schema }) {
    for (const [sql, tables] of STEPS)
      await db.raw(
        sql,
        tables.flatMap((t) => [schema, t]),
      );
  },
};
