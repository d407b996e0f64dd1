import type { Ident } from '../core/ident.js';
import type { TenantSessions } from '../db/tenant-sessions.js';
import type { JobKind, JobTenant, JobView, Jobs } from '../jobs/jobs.js';
import type { CompiledModel } from '../metadata/compile.js';
import { recomputeDerived, type RecomputeReport } from './derived.js';

/** What a client polls at GET /meta/recompute/{id}. */
export interface RecomputeTask {
  id: string;
  tenantId: string;
  /** The object recomputed, or null for every object with roll-ups or formulas. */
  object: string | null;
  /** `running` also while it waits for the runner (or for a recompute of the tenant already running). */
  status: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
  report: RecomputeReport[] | null;
}

export const RECOMPUTE_KIND = 'metadata.recompute';
/** One key per tenant: the runner never runs two recomputes of a tenant at once. */
const KEY = 'recompute';

interface RecomputePayload {
  object: string | null;
  actor: string;
}

interface Progress {
  done?: number;
  total?: number;
  report?: RecomputeReport[];
}

export interface RecomputeDeps {
  sessions: TenantSessions;
  timeZone: string;
  /** The tenant's compiled model and database role, read when the job runs (in any process). */
  tenantOf(t: JobTenant): Promise<{ model: CompiledModel; dbRole: Ident }>;
  /** Called once a task has ended, done or failed for good (e.g. to write the audit log). */
  finished?(t: RecomputeTask): Promise<void>;
}

/**
 * Recompute as a job of the durable runner: any engine process runs it, its progress and report
 * live in the job's row (so any process answers the status URL), and a crash retries it (a
 * recompute writes what the rules compute from the stored rows: running it twice is harmless).
 */
export function recomputeJobKind(d: RecomputeDeps): JobKind<RecomputePayload> {
  return {
    name: RECOMPUTE_KIND,
    payload: {
      type: 'object',
      properties: { object: { type: ['string', 'null'] }, actor: { type: 'string' } },
      required: ['object', 'actor'],
      additionalProperties: false,
    },
    maxAttempts: 3,
    keep: true,
    async run(p, ctx) {
      const task = (status: RecomputeTask['status'], last: Progress): RecomputeTask => ({
        id: String(ctx.job.id),
        tenantId: ctx.tenant.id,
        object: p.object,
        status,
        done: last.done ?? 0,
        total: last.total ?? 0,
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        startedBy: p.actor,
        report: last.report ?? null,
      });
      const last: Progress = {};
      try {
        const { model, dbRole } = await d.tenantOf(ctx.tenant);
        // One row update per batch (500 records), never per record.
        last.report = await recomputeDerived(
          { schema: ctx.tenant.schema, write: (fn) => d.sessions.write(dbRole, fn) },
          model,
          {
            object: p.object ?? undefined,
            timeZone: d.timeZone,
            actor: p.actor,
            onProgress: async (x) => {
              last.done = x.done;
              last.total = x.total;
              await ctx.progress({ done: x.done, total: x.total });
            },
          },
        );
        await ctx.progress({ ...last });
      } catch (err) {
        if (ctx.job.attempt >= ctx.job.maxAttempts)
          await d.finished?.(task('failed', last)).catch(() => undefined);
        throw err; // the runner logs it and retries; the client's status only says `failed`
      }
      await d.finished?.(task('done', last)).catch(() => undefined);
    },
  };
}

/** A job of the recompute kind as its status URL shows it. */
function asTask(j: JobView, tenantId: string): RecomputeTask {
  const payload = j.payload as RecomputePayload;
  const progress = (j.progress ?? {}) as Progress;
  return {
    id: String(j.id),
    tenantId,
    object: payload.object,
    status: j.state === 'done' ? 'done' : j.state === 'dead' ? 'failed' : 'running',
    done: progress.done ?? 0,
    total: progress.total ?? 0,
    startedAt: j.createdAt,
    finishedAt: j.state === 'done' || j.state === 'dead' ? j.finishedAt : null,
    startedBy: payload.actor,
    report: j.state === 'done' ? (progress.report ?? null) : null,
  };
}

const JOB_ID = /^[1-9][0-9]{0,15}$/;

/** Starting and reading recomputes, for the metadata API. */
export class Recomputations {
  constructor(private readonly jobs: Pick<Jobs, 'enqueue' | 'get' | 'list'>) {}

  /** Starts a recompute, or answers the one of this tenant that is waiting or running. */
  async start(tenantId: string, actor: string, object?: string): Promise<RecomputeTask> {
    for (const state of ['running', 'queued'] as const) {
      const [live] = await this.jobs.list(tenantId, { state, kind: RECOMPUTE_KIND, limit: 1 });
      if (live) return asTask(live, tenantId);
    }
    const id = await this.jobs.enqueue(
      RECOMPUTE_KIND,
      { object: object ?? null, actor },
      { tenantId, key: KEY },
    );
    const job = await this.jobs.get(tenantId, id);
    if (!job) throw new Error(`recompute job ${id} vanished`);
    return asTask(job, tenantId);
  }

  async get(tenantId: string, id: string): Promise<RecomputeTask | undefined> {
    if (!JOB_ID.test(id)) return undefined;
    const job = await this.jobs.get(tenantId, Number(id));
    return job && job.kind === RECOMPUTE_KIND ? asTask(job, tenantId) : undefined;
  }
}
