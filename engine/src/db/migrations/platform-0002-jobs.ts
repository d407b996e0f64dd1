import type { EngineMigration } from './migration.js';

/**
 * The job runner's tables (jobs/), each tenant's time zone (schedules run in it) and the
 * tenant engine migration each tenant's schema is at (start-up skips tenants already there).
 */
const STATEMENTS = [
  `create table ??.jobs (
    id bigserial primary key,
    tenant_id uuid not null references ??.tenants (id) on delete cascade,
    kind text not null,
    key text,
    payload jsonb not null default '{}',
    state text not null default 'queued' check (state in ('queued', 'running', 'done', 'dead')),
    run_at timestamp with time zone not null default now(),
    attempts integer not null default 0,
    max_attempts integer not null default 5,
    locked_by text,
    locked_until timestamp with time zone,
    last_error text,
    progress jsonb,
    created_at timestamp with time zone not null default now(),
    started_at timestamp with time zone,
    finished_at timestamp with time zone
  )`,
  // Claiming: a tenant's ready jobs in run-at order.
  "create index jobs_ready on ??.jobs (tenant_id, run_at, id) where state = 'queued'",
  // At most one queued job per key (enqueueing again merges); a running one blocks its twins.
  "create unique index jobs_queued_key on ??.jobs (tenant_id, kind, key) where state = 'queued' and key is not null",
  "create index jobs_running_key on ??.jobs (tenant_id, kind, key) where state = 'running' and key is not null",
  // The reaper: leases of processes that stopped answering.
  "create index jobs_lease on ??.jobs (locked_until) where state = 'running'",
  // The admin list: a tenant's jobs by state, newest first.
  'create index jobs_tenant_state on ??.jobs (tenant_id, state, id)',
  `create table ??.job_schedules (
    tenant_id uuid not null references ??.tenants (id) on delete cascade,
    name text not null,
    kind text not null,
    payload jsonb not null default '{}',
    cron text not null,
    time_zone text,
    next_run_at timestamp with time zone not null,
    last_run_at timestamp with time zone,
    primary key (tenant_id, name)
  )`,
  'create index job_schedules_due on ??.job_schedules (next_run_at)',
  'alter table ??.tenants add column if not exists time_zone text',
  'alter table ??.tenants add column if not exists engine_version text',
];

export const jobsTables: EngineMigration = {
  name: '0002_jobs',
  async up(db, { platform }) {
    for (const sql of STATEMENTS)
      await db.raw(
        sql,
        Array.from({ length: sql.split('??').length - 1 }, () => platform),
      );
  },
};
