import type { Ident } from '../core/ident.js';
import type { TenantSessions } from '../db/tenant-sessions.js';
import type { CompiledModel } from '../metadata/compile.js';
import { recomputeDerived, type RecomputeReport } from './derived.js';

export interface RecomputeTask {
  id: string;
  tenantId: string;
  /** The object recomputed, or null for every object with roll-ups or formulas. */
  object: string | null;
  status: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
  report: RecomputeReport[] | null;
}

/** How many finished tasks are kept for their status URL, per process. */
const KEEP = 100;

/**
 * Recomputes run in the background of this process, in batches (see recomputeDerived), and report
 * progress to a status a client polls. One at a time per tenant: starting another while one runs
 * answers the running one. Status lives in memory; it moves onto the job runner when that lands.
 */
export class Recomputations {
  private readonly tasks = new Map<string, RecomputeTask>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly sessions: TenantSessions,
    private readonly timeZone: string,
    /** Called after a task ends (e.g. to write the audit log). */
    private readonly finished?: (t: RecomputeTask) => Promise<void>,
    /** Where a failed task's error goes (the log; never the status a client reads). */
    private readonly failed?: (err: unknown, t: RecomputeTask) => void,
  ) {}

  start(
    tenant: { id: string; schema: Ident; dbRole: Ident },
    model: CompiledModel,
    actor: string,
    object?: string,
  ): RecomputeTask {
    for (const t of this.tasks.values()) if (t.tenantId === tenant.id && t.status === 'running') return t;
    const task: RecomputeTask = {
      id: globalThis.crypto.randomUUID(),
      tenantId: tenant.id,
      object: object ?? null,
      status: 'running',
      done: 0,
      total: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      startedBy: actor,
      report: null,
    };
    this.remember(task);
    const run = recomputeDerived(
      { schema: tenant.schema, write: (fn) => this.sessions.write(tenant.dbRole, fn) },
      model,
      {
        object,
        timeZone: this.timeZone,
        actor,
        onProgress: (p) => {
          task.done = p.done;
          task.total = p.total;
        },
      },
    )
      .then((report) => {
        task.report = report;
        task.status = 'done';
      })
      .catch((err: unknown) => {
        task.status = 'failed';
        this.failed?.(err, task);
      })
      .then(async () => {
        task.finishedAt = new Date().toISOString();
        await this.finished?.(task).catch(() => undefined);
      });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return task;
  }

  get(tenantId: string, id: string): RecomputeTask | undefined {
    const t = this.tasks.get(id);
    return t && t.tenantId === tenantId ? t : undefined;
  }

  /** Resolves when every running task has ended (shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private remember(task: RecomputeTask) {
    this.tasks.set(task.id, task);
    for (const [id, t] of this.tasks) {
      if (this.tasks.size <= KEEP) break;
      if (t.status !== 'running') this.tasks.delete(id);
    }
  }
}
