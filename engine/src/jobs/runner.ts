import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { PermanentJobError, SYSTEM_ACTOR, type JobContext, type JobKinds } from './kinds.js';
import type { Schedules } from './schedules.js';
import type { ClaimedJob, JobStore } from './store.js';

/** Where the runner reports; console by default, the runtime's logger when it has one. */
export interface JobLogger {
  info(msg: string, detail?: Record<string, unknown>): void;
  warn(msg: string, detail?: Record<string, unknown>): void;
  error(msg: string, detail?: Record<string, unknown>): void;
}

export const consoleLogger: JobLogger = {
  info: () => undefined,
  warn: (msg, detail) => console.warn(`[jobs] ${msg}`, detail ?? ''),
  error: (msg, detail) => console.error(`[jobs] ${msg}`, detail ?? ''),
};

export interface RunnerOptions {
  /** Jobs run at once by this process. */
  concurrency: number;
  /** Jobs claimed per statement (short transactions: PGlite shares one connection with requests). */
  batch: number;
  /** Idle wait between claims. */
  pollMs: number;
  /** How long a claimed job is this runner's; heartbeats renew it every third of it. */
  leaseMs: number;
  /** How often expired leases (of dead processes) are put back in the queue. */
  reapMs: number;
  /** How often due schedules are turned into jobs. */
  scheduleMs: number;
  /** How often kept finished jobs past their retention are pruned. */
  pruneMs: number;
  doneRetentionMs: number;
  deadRetentionMs: number;
  /** Delay before the first retry when a kind sets none. */
  backoffMs: number;
  log: JobLogger;
  /** Names this process in locked_by (host:pid:random by default). */
  workerId?: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const defaultRunnerOptions = (db: 'pglite' | 'postgres'): RunnerOptions => ({
  concurrency: db === 'pglite' ? 2 : 8,
  batch: db === 'pglite' ? 2 : 8,
  pollMs: db === 'pglite' ? 1000 : 500,
  leaseMs: 60_000,
  reapMs: 15_000,
  scheduleMs: 5_000,
  pruneMs: 10 * 60_000,
  doneRetentionMs: 7 * DAY,
  deadRetentionMs: 30 * DAY,
  backoffMs: 10_000,
  log: consoleLogger,
});

interface Running {
  job: ClaimedJob;
  abort: AbortController;
  done?: Promise<void>;
  /** The handler returned: its row is being finished (a heartbeat may no longer find it). */
  settled: boolean;
}

const message = (e: unknown) => (e instanceof Error ? e.stack || e.message : String(e)).slice(0, 4000);

/**
 * Claims and runs jobs in this process: polls (woken at once by enqueues in this process),
 * renews the leases of its running jobs, puts back jobs of dead processes, turns due schedules
 * into jobs. Each of these is a short statement or transaction.
 */
export class JobRunner {
  readonly workerId: string;
  private running = new Map<number, Running>();
  private timers: NodeJS.Timeout[] = [];
  private pollTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private again = false;
  private state: 'idle' | 'started' | 'stopping' = 'idle';

  constructor(
    private store: JobStore,
    private kinds: JobKinds,
    private schedules: Schedules,
    private o: RunnerOptions,
  ) {
    this.workerId = o.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  get isRunning() {
    return this.state === 'started';
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'started';
    const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
      const t = setInterval(() => {
        if (this.state === 'started')
          void fn().catch((e: unknown) => this.o.log.error(`${what} failed`, { error: message(e) }));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(Math.max(250, Math.floor(this.o.leaseMs / 3)), () => this.heartbeat(), 'heartbeat');
    every(this.o.reapMs, () => this.store.reap(), 'reaping expired leases');
    every(
      this.o.scheduleMs,
      async () => {
        if (await this.schedules.tick()) this.wake();
      },
      'schedules',
    );
    every(
      this.o.pruneMs,
      () => this.store.prune(this.o.doneRetentionMs, this.o.deadRetentionMs),
      'pruning jobs',
    );
    void this.store
      .reap()
      .catch((e: unknown) => this.o.log.error('reaping expired leases failed', { error: message(e) }));
    this.wake();
  }

  /** Claims now instead of at the next poll (an enqueue in this process). */
  wake(): void {
    if (this.state !== 'started') return;
    if (this.polling) {
      this.again = true;
      return;
    }
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.polling = this.poll().finally(() => {
      this.polling = null;
      if (this.state !== 'started') return;
      if (this.again) {
        this.again = false;
        this.wake();
      } else {
        this.pollTimer = setTimeout(() => this.wake(), this.o.pollMs);
        this.pollTimer.unref();
      }
    });
  }

  private async poll(): Promise<void> {
    try {
      for (;;) {
        const free = this.o.concurrency - this.running.size;
        if (free <= 0 || this.state !== 'started') return;
        const want = Math.min(free, this.o.batch);
        const jobs = await this.store.claim(this.workerId, want, this.o.leaseMs);
        for (const job of jobs) this.launch(job);
        if (jobs.length < want) return;
      }
    } catch (e) {
      this.o.log.error('claiming jobs failed', { error: message(e) });
    }
  }

  private launch(job: ClaimedJob) {
    const r: Running = { job, abort: new AbortController(), settled: false };
    this.running.set(job.id, r);
    r.done = this.run(r).finally(() => {
      this.running.delete(job.id);
      // A slot is free: claim the next job now rather than at the next poll.
      if (this.state === 'started') this.wake();
    });
  }

  private async run(r: Running): Promise<void> {
    const { job } = r;
    const signal = r.abort.signal;
    const kind = this.kinds.get(job.kind);
    const w = this.workerId;
    const detail = { job: job.id, kind: job.kind, tenant: job.tenant.slug, attempt: job.attempts };
    try {
      if (!kind) throw new Error(`no handler for job kind "${job.kind}" in this process`);
      const ctx: JobContext = {
        job: {
          id: job.id,
          kind: job.kind,
          attempt: job.attempts,
          maxAttempts: job.maxAttempts,
          key: job.key,
        },
        tenant: job.tenant,
        actor: SYSTEM_ACTOR,
        signal,
        progress: (p) => this.store.setProgress(job, w, p),
      };
      await kind.run(job.payload, ctx);
      r.settled = true;
    } catch (e) {
      r.settled = true;
      if (signal.aborted && this.state !== 'started') return; // released by stop()
      const error = message(e);
      try {
        if (e instanceof PermanentJobError || job.attempts >= job.maxAttempts) {
          this.o.log.error('job failed for good (dead)', { ...detail, error });
          await this.store.bury(job, w, error);
        } else {
          const delay = this.backoff(job.attempts, kind?.backoffMs);
          this.o.log.warn('job failed, will retry', { ...detail, retryInMs: delay, error });
          await this.store.retry(job, w, error, delay);
        }
      } catch (e2) {
        // The lease runs out and the reaper retries it.
        this.o.log.error('recording a job failure failed', { ...detail, error: message(e2) });
      }
      return;
    }
    try {
      if (!(await this.store.complete(job, w, kind.keep ?? false)))
        this.o.log.warn('job finished after its lease was lost; another worker may have run it too', detail);
    } catch (e) {
      this.o.log.error('recording a finished job failed (it will run again)', {
        ...detail,
        error: message(e),
      });
    }
  }

  /** Exponential: base, 2×base, 4×base… up to an hour, ±25% so retries of a burst spread out. */
  private backoff(attempt: number, base = this.o.backoffMs): number {
    const exp = Math.min(HOUR, base * 2 ** Math.max(0, attempt - 1));
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }

  private async heartbeat() {
    if (!this.running.size) return;
    const ids = [...this.running.keys()];
    const held = await this.store.heartbeat(this.workerId, ids, this.o.leaseMs);
    // Only the jobs asked about: one claimed meanwhile was not in the statement.
    for (const id of ids) {
      const r = this.running.get(id);
      if (r && !held.has(id) && !r.settled) {
        this.o.log.warn('job lease lost; aborting it', { job: id, kind: r.job.kind });
        r.abort.abort(new Error('job lease lost'));
      }
    }
  }

  /**
   * Stops claiming, waits up to `timeoutMs` for running jobs, then aborts the rest and puts them
   * back in the queue (their attempt refunded) for another process. Safe to call twice; start()
   * may follow.
   */
  async stop({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<{
    finished: number;
    released: number;
  }> {
    if (this.state !== 'started') return { finished: 0, released: 0 };
    this.state = 'stopping';
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await this.polling;
    const inFlight = [...this.running.values()];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    // Leases stay fresh while we wait.
    const beat = setInterval(
      () => void this.heartbeat().catch(() => undefined),
      Math.max(250, Math.floor(this.o.leaseMs / 3)),
    );
    await Promise.race([Promise.allSettled(inFlight.map((r) => r.done)), timeout]);
    clearTimeout(timer);
    clearInterval(beat);
    const left = [...this.running.values()];
    for (const r of left) {
      r.abort.abort(new Error('the job runner is stopping'));
      await this.store
        .retry(r.job, this.workerId, null, 0, true)
        .catch((e: unknown) =>
          this.o.log.error('releasing a job failed', { job: r.job.id, error: message(e) }),
        );
    }
    // Stopped; start() may claim again.
    this.state = 'idle';
    return { finished: inFlight.length - left.length, released: left.length };
  }
}
