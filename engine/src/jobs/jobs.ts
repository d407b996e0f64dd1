import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import { JobKinds, type JobKind } from './kinds.js';
import { JobRunner, defaultRunnerOptions, type JobLogger, type RunnerOptions } from './runner.js';
import { Schedules } from './schedules.js';
import { JobStore, type JobState, type JobView } from './store.js';

export interface EnqueueOptions {
  tenantId: string;
  /** Not before this time (default: now). */
  runAt?: Date;
  /** At most one waiting job per tenant, kind and key; jobs with one key never run at once. */
  key?: string;
  /** Overrides the kind's number of tries. */
  maxAttempts?: number;
  /** A platform transaction to enqueue in: the job exists only if that transaction commits. */
  db?: Knex;
}

export interface JobsConfig {
  knex: Knex;
  platform: Ident;
  db: 'pglite' | 'postgres';
  /** Time zone of tenants that have none. */
  timeZone: string;
  runner?: Partial<RunnerOptions>;
}

/**
 * The durable job runner on Postgres (PGlite or a server), one per engine process:
 * `enqueue(kind, payload, { tenantId, runAt })` from anywhere, kinds registered in `kinds`,
 * `start()` / `stop()` by the composition root. See docs/architecture.md, "Jobs".
 */
export class Jobs {
  readonly kinds = new JobKinds();
  readonly store: JobStore;
  readonly schedules: Schedules;
  readonly runner: JobRunner;
  /** Where jobs and their consumers report failures. */
  readonly log: JobLogger;

  constructor(cfg: JobsConfig) {
    this.store = new JobStore(cfg.knex, cfg.platform, cfg.timeZone);
    this.schedules = new Schedules(cfg.knex, cfg.platform, this.kinds, this.store, cfg.timeZone);
    const options = { ...defaultRunnerOptions(cfg.db), ...cfg.runner };
    this.log = options.log;
    this.runner = new JobRunner(this.store, this.kinds, this.schedules, options);
  }

  register<P>(kind: JobKind<P>): this {
    this.kinds.register(kind);
    return this;
  }

  /** Adds a job of a registered kind (its payload checked against the kind's schema); returns its id. */
  async enqueue(kind: string, payload: Record<string, unknown>, o: EnqueueOptions): Promise<number> {
    this.kinds.check(kind, payload);
    const id = await this.store.insert(
      {
        tenantId: o.tenantId,
        kind,
        payload,
        runAt: o.runAt,
        key: o.key,
        maxAttempts: o.maxAttempts ?? this.kinds.get(kind)!.maxAttempts ?? 5,
      },
      o.db,
    );
    // In a caller's transaction the job is not visible yet: the next poll finds it.
    if (!o.db && (!o.runAt || o.runAt.getTime() <= Date.now())) this.runner.wake();
    return id;
  }

  list(tenantId: string, f: { state?: JobState; kind?: string; before?: number; limit?: number } = {}) {
    return this.store.list(tenantId, { ...f, limit: f.limit ?? 50 });
  }

  get(tenantId: string, id: number): Promise<JobView | null> {
    return this.store.get(tenantId, id);
  }

  /** A dead job runs again (fresh attempts); null when there is no such dead job in the tenant. */
  async retry(tenantId: string, id: number): Promise<JobView | null> {
    const job = await this.store.revive(tenantId, id);
    if (job) this.runner.wake();
    return job;
  }

  /** Creates the registered kinds' system schedules for every tenant, then starts claiming. */
  async start(): Promise<void> {
    await this.schedules.ensureSystem();
    this.runner.start();
  }

  /** Stops claiming and waits (bounded) for running jobs; the rest go back to the queue. */
  stop(o?: { timeoutMs?: number }) {
    return this.runner.stop(o);
  }
}

export type { JobKind, JobContext, JobTenant } from './kinds.js';
export { PermanentJobError, SYSTEM_ACTOR } from './kinds.js';
export type { JobState, JobView } from './store.js';
export { JOB_STATES } from './store.js';
export type { RunnerOptions, JobLogger } from './runner.js';
