import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import { JOBS } from '../db/engine-tables.js';
import type { JobTenant } from './kinds.js';

export const JOB_STATES = ['queued', 'running', 'done', 'dead'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A job as an admin sees it (GET /jobs). */
export interface JobView {
  id: number;
  kind: string;
  key: string | null;
  state: JobState;
  payload: unknown;
  runAt: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  progress: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A job this runner holds: the fence (worker, attempt) every later update of it carries. */
export interface ClaimedJob {
  id: number;
  kind: string;
  key: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  tenant: JobTenant;
}

export interface InsertJob {
  tenantId: string;
  kind: string;
  payload: unknown;
  runAt?: Date;
  key?: string;
  maxAttempts: number;
}

// Deletes count their RETURNING rows: knex-pglite reports a bare DELETE's count in a shape knex
// does not read.
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));

function toView(r: Record<string, unknown>): JobView {
  return {
    id: Number(r.id),
    kind: r.kind as string,
    key: (r.key as string | null) ?? null,
    state: r.state as JobState,
    payload: r.payload,
    runAt: iso(r.run_at)!,
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    lastError: (r.last_error as string | null) ?? null,
    progress: r.progress ?? null,
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

/**
 * Claims up to `batch` ready jobs, shared fairly between tenants: the tenants whose oldest ready
 * job waited longest come first and each gets an equal share of the batch, so one tenant's
 * backlog cannot starve another's. FOR UPDATE SKIP LOCKED lets runners in other processes claim
 * side by side without waiting or taking the same job; a job whose key has a running twin waits.
 */
const CLAIM = `
with ready as (
  select tenant_id, min(run_at) as oldest from ??.?? 
   where state = 'queued' and run_at <= now()
   group by tenant_id order by oldest limit ?
), share as (
  select greatest(1, ceil(?::numeric / nullif(count(*), 0)))::int as n from ready
), picked as (
  select c.id, r.oldest from ready r cross join share s cross join lateral (
    select j.id from ??.?? j
     where j.tenant_id = r.tenant_id and j.state = 'queued' and j.run_at <= now()
       and (j.key is null or not exists (
         select 1 from ??.?? x
          where x.state = 'running' and x.tenant_id = j.tenant_id and x.kind = j.kind and x.key = j.key))
     order by j.run_at, j.id
     limit s.n
     for update skip locked
  ) c
  order by r.oldest
  limit ?
)
update ??.?? j
   set state = 'running', attempts = j.attempts + 1, locked_by = ?,
       locked_until = now() + ? * interval '1 millisecond', started_at = now()
  from picked p, ??.tenants t
 where j.id = p.id and t.id = j.tenant_id
returning j.id, j.kind, j.key, j.payload, j.attempts, j.max_attempts,
          t.id as tenant_id, t.slug, t.name, t.schema_name, t.time_zone`;

const ENQUEUE = `
insert into ??.?? as j (tenant_id, kind, key, payload, run_at, max_attempts)
values (?, ?, ?, ?::jsonb, coalesce(?::timestamptz, now()), ?)
on conflict (tenant_id, kind, key) where state = 'queued' and key is not null
do update set run_at = least(j.run_at, excluded.run_at)
returning id`;

/** The jobs table (platform schema): every statement of the runner, the scheduler and the admin API. */
export class JobStore {
  constructor(
    private knex: Knex,
    private platform: Ident,
    private defaultTimeZone: string,
  ) {}

  private jobs(db: Knex = this.knex) {
    return db.withSchema(this.platform).table(JOBS);
  }

  /**
   * Adds a job; with a key, at most one job of that kind and key waits per tenant: enqueueing
   * again keeps the waiting one (run at the earlier of the two times) and returns its id.
   */
  async insert(j: InsertJob, db: Knex = this.knex): Promise<number> {
    const res = await db.raw(ENQUEUE, [
      this.platform,
      JOBS,
      j.tenantId,
      j.kind,
      j.key ?? null,
      JSON.stringify(j.payload ?? {}),
      j.runAt ?? null,
      j.maxAttempts,
    ]);
    return Number(res.rows[0].id);
  }

  async claim(worker: string, batch: number, leaseMs: number): Promise<ClaimedJob[]> {
    const p = this.platform;
    const res = await this.knex.raw(CLAIM, [
      p,
      JOBS,
      batch,
      batch,
      p,
      JOBS,
      p,
      JOBS,
      batch,
      p,
      JOBS,
      worker,
      leaseMs,
      p,
    ]);
    return (res.rows as Record<string, unknown>[]).map((r) => ({
      id: Number(r.id),
      kind: r.kind as string,
      key: (r.key as string | null) ?? null,
      payload: (r.payload as Record<string, unknown>) ?? {},
      attempts: r.attempts as number,
      maxAttempts: r.max_attempts as number,
      tenant: {
        id: r.tenant_id as string,
        slug: r.slug as string,
        name: r.name as string,
        schema: r.schema_name as Ident,
        timeZone: (r.time_zone as string | null) ?? this.defaultTimeZone,
      },
    }));
  }

  /** Only the holder of the job's current attempt may change it (a reclaimed job has moved on). */
  private fenced(job: ClaimedJob, worker: string, db: Knex = this.knex) {
    return this.jobs(db).where({ id: job.id, state: 'running', locked_by: worker, attempts: job.attempts });
  }

  /** Done: deleted, or kept as `done` for admins (kinds with `keep`). False if the lease was lost. */
  async complete(job: ClaimedJob, worker: string, keep: boolean): Promise<boolean> {
    const n = keep
      ? await this.fenced(job, worker).update({
          state: 'done',
          finished_at: this.knex.fn.now(),
          locked_by: null,
          locked_until: null,
        })
      : (await this.fenced(job, worker).delete(['id'])).length;
    return n > 0;
  }

  /** Dead at once. */
  async bury(job: ClaimedJob, worker: string, error: string): Promise<boolean> {
    const n = await this.fenced(job, worker).update({
      state: 'dead',
      finished_at: this.knex.fn.now(),
      last_error: error,
      locked_by: null,
      locked_until: null,
    });
    return n > 0;
  }

  /**
   * Back to the queue after `delayMs`. A keyed job's waiting twin is dropped: this job, which
   * carries the attempt count, does the same work.
   */
  async retry(job: ClaimedJob, worker: string, error: string | null, delayMs: number, refund = false) {
    return this.knex.transaction(async (trx) => {
      if (job.key !== null)
        await this.jobs(trx)
          .where({ tenant_id: job.tenant.id, kind: job.kind, key: job.key, state: 'queued' })
          .delete();
      const n = await this.fenced(job, worker, trx).update({
        state: 'queued',
        run_at: trx.raw("now() + ? * interval '1 millisecond'", [delayMs]),
        ...(error !== null ? { last_error: error } : {}),
        ...(refund ? { attempts: job.attempts - 1 } : {}),
        locked_by: null,
        locked_until: null,
      });
      return n > 0;
    });
  }

  /** Extends the leases of the jobs this worker holds; returns the ids it still holds. */
  async heartbeat(worker: string, ids: number[], leaseMs: number): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = (await this.jobs()
      .where({ state: 'running', locked_by: worker })
      .whereIn('id', ids)
      .update({ locked_until: this.knex.raw("now() + ? * interval '1 millisecond'", [leaseMs]) }, [
        'id',
      ])) as { id: number | string }[];
    return new Set(rows.map((r) => Number(r.id)));
  }

  async setProgress(job: ClaimedJob, worker: string, progress: Record<string, unknown>) {
    await this.fenced(job, worker).update({ progress: JSON.stringify(progress) });
  }

  /**
   * Jobs whose lease ran out (their process died or hung) go back to the queue, or are dead
   * when that was their last attempt. Returns how many.
   */
  async reap(): Promise<number> {
    return this.knex.transaction(async (trx) => {
      const expired = (await this.jobs(trx)
        .where('state', 'running')
        .where('locked_until', '<', trx.fn.now())
        .forUpdate()
        .skipLocked()
        .select('id', 'tenant_id', 'kind', 'key', 'attempts', 'max_attempts', 'locked_by')) as {
        id: number;
        tenant_id: string;
        kind: string;
        key: string | null;
        attempts: number;
        max_attempts: number;
        locked_by: string | null;
      }[];
      for (const j of expired) {
        const last = j.attempts >= j.max_attempts;
        if (!last && j.key !== null)
          await this.jobs(trx)
            .where({ tenant_id: j.tenant_id, kind: j.kind, key: j.key, state: 'queued' })
            .delete();
        await this.jobs(trx)
          .where({ id: j.id })
          .update({
            state: last ? 'dead' : 'queued',
            run_at: trx.fn.now(),
            finished_at: last ? trx.fn.now() : null,
            last_error: `lease expired: worker ${j.locked_by ?? '?'} stopped answering`,
            locked_by: null,
            locked_until: null,
          });
      }
      return expired.length;
    });
  }

  /** Drops finished jobs kept past their retention, a bounded batch at a time. */
  async prune(doneMs: number, deadMs: number): Promise<number> {
    const older = (ms: number) => this.knex.raw("now() - ? * interval '1 millisecond'", [ms]);
    const ids = this.jobs()
      .where((q) =>
        q
          .where((d) => d.where('state', 'done').where('finished_at', '<', older(doneMs)))
          .orWhere((d) => d.where('state', 'dead').where('finished_at', '<', older(deadMs))),
      )
      .limit(1000)
      .select('id');
    return (await this.jobs().whereIn('id', ids).delete(['id'])).length;
  }

  async list(
    tenantId: string,
    f: { state?: JobState; kind?: string; before?: number; limit: number },
  ): Promise<JobView[]> {
    const q = this.jobs().where({ tenant_id: tenantId });
    if (f.state) q.where('state', f.state);
    if (f.kind) q.where('kind', f.kind);
    if (f.before) q.where('id', '<', f.before);
    return ((await q.orderBy('id', 'desc').limit(f.limit)) as Record<string, unknown>[]).map(toView);
  }

  async get(tenantId: string, id: number): Promise<JobView | null> {
    const row = (await this.jobs().where({ tenant_id: tenantId, id }).first()) as
      Record<string, unknown> | undefined;
    return row ? toView(row) : null;
  }

  /** A dead job back to the queue with a fresh set of attempts; null unless it was dead. */
  async revive(tenantId: string, id: number): Promise<JobView | null> {
    return this.knex.transaction(async (trx) => {
      const dead = (await this.jobs(trx)
        .where({ tenant_id: tenantId, id, state: 'dead' })
        .forUpdate()
        .first()) as Record<string, unknown> | undefined;
      if (!dead) return null;
      if (dead.key != null)
        await this.jobs(trx)
          .where({ tenant_id: tenantId, kind: dead.kind, key: dead.key, state: 'queued' })
          .delete();
      const [row] = (await this.jobs(trx)
        .where({ id })
        .update({ state: 'queued', run_at: trx.fn.now(), attempts: 0, finished_at: null }, '*')) as Record<
        string,
        unknown
      >[];
      return toView(row);
    });
  }
}
