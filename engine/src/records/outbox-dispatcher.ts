import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import { OUTBOX } from '../db/engine-tables.js';
import type { TenantSessions } from '../db/tenant-sessions.js';
import type { Jobs } from '../jobs/jobs.js';
import type { JobContext, JobLogger } from '../jobs/jobs.js';

export interface DispatchedEvent {
  tenantId: string;
  seq: number;
  type: string;
  object: string;
  recordId: string;
  actor: string | null;
  payload: unknown;
  createdAt: string;
}

/** An in-process consumer of committed record events (automation, notifications, webhooks…). */
export type OutboxSubscriber = (
  event: DispatchedEvent,
  ctx: { tenantSlug: string; signal: AbortSignal },
) => Promise<void>;

export const OUTBOX_JOBS = {
  deliver: 'outbox.deliver',
  redeliver: 'outbox.redeliver',
  prune: 'outbox.prune',
} as const;

/** Events read per statement; a delivery job hands back its slot after a few batches. */
const BATCH = 100;
const BATCHES_PER_RUN = 10;
const PRUNE_BATCH = 5000;

export interface OutboxOptions {
  jobs: Jobs;
  sessions: TenantSessions;
  log: JobLogger;
  /** The database role of a tenant (its tenant sessions run under it). */
  roleOf: (tenant: { id: string; schema: Ident }) => Promise<Ident>;
  /** How long delivered events stay in `_outbox` (default 7 days). */
  retentionDays?: number;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
const toEvent = (tenantId: string, r: Row): DispatchedEvent => ({
  tenantId,
  seq: Number(r.seq),
  type: r.type as string,
  object: r.object as string,
  recordId: r.record_id as string,
  actor: (r.actor as string | null) ?? null,
  payload: r.payload,
  createdAt: iso(r.created_at),
});

/**
 * The outbox's consumer, on the job runner. Every write leaves its events in the tenant's
 * `_outbox` in the write's own transaction; after commit, `kick` enqueues one delivery job per
 * tenant (keyed: at most one waits, never two run at once), and a system schedule sweeps every
 * five minutes for events whose kick was lost with its process. Delivery hands each event to
 * every subscriber, then marks it dispatched: at least once. A subscriber that throws is logged
 * and gets the event again from a job of its own (retries with back-off, then dead: an admin
 * sees it at GET /jobs?state=dead and can retry it). Delivered events are pruned daily.
 */
export class OutboxDispatcher {
  private subscribers = new Map<string, OutboxSubscriber>();
  private pending = new Set<string>();
  private flushing: Promise<void> | null = null;
  private retentionDays: number;

  constructor(private o: OutboxOptions) {
    this.retentionDays = o.retentionDays ?? 7;
    o.jobs.register({
      name: OUTBOX_JOBS.deliver,
      payload: { type: 'object', additionalProperties: false },
      maxAttempts: 10,
      // Spread over the five minutes: 1,000 tenants do not all enqueue a sweep in the same minute.
      schedule: { name: 'outbox.sweep', cron: '*/5 * * * *', spreadMs: 5 * 60_000 },
      run: (_p, ctx) => this.deliver(ctx),
    });
    o.jobs.register<{ subscriber: string; event: DispatchedEvent }>({
      name: OUTBOX_JOBS.redeliver,
      payload: {
        type: 'object',
        required: ['subscriber', 'event'],
        properties: { subscriber: { type: 'string' }, event: { type: 'object' } },
        additionalProperties: false,
      },
      maxAttempts: 8,
      run: (p, ctx) => this.redeliver(p.subscriber, p.event, ctx),
    });
    o.jobs.register({
      name: OUTBOX_JOBS.prune,
      payload: { type: 'object', additionalProperties: false },
      // 03:00 in the tenant's time zone: its quiet hour.
      schedule: { name: 'outbox.prune', cron: '0 3 * * *' },
      run: (_p, ctx) => this.prune(ctx),
    });
  }

  /** Registers a consumer by name (the name is how retries find it again after a restart). */
  subscribe(name: string, fn: OutboxSubscriber): () => void {
    if (this.subscribers.has(name)) throw new Error(`outbox subscriber "${name}" is registered twice`);
    this.subscribers.set(name, fn);
    return () => this.subscribers.delete(name);
  }

  /**
   * After a write committed: delivery soon. Kicks of one tick are merged into one enqueue per
   * tenant; with no subscriber the events just wait (nothing on the write path). Never rejects:
   * a failed enqueue is logged and the sweep delivers the events.
   */
  kick(tenantId: string, _schema?: Ident): Promise<void> {
    if (!this.subscribers.size) return Promise.resolve();
    this.pending.add(tenantId);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
    return this.flushing;
  }

  private async flush() {
    const tenants = [...this.pending];
    this.pending.clear();
    this.flushing = null;
    for (const tenantId of tenants)
      await this.o.jobs.enqueue(OUTBOX_JOBS.deliver, {}, { tenantId, key: 'deliver' }).catch((e: unknown) =>
        this.o.log.error('outbox: enqueueing a delivery failed; the sweep will deliver', {
          tenant: tenantId,
          error: e instanceof Error ? e.message : String(e),
        }),
      );
  }

  private async session<T>(ctx: JobContext, fn: (db: Knex) => Promise<T>): Promise<T> {
    return this.o.sessions.write(await this.o.roleOf(ctx.tenant), fn);
  }

  private async deliver(ctx: JobContext) {
    const { tenant } = ctx;
    if (!this.subscribers.size) return;
    for (let i = 0; i < BATCHES_PER_RUN && !ctx.signal.aborted; i++) {
      const rows = (await this.session(ctx, (db) =>
        db.withSchema(tenant.schema).table(OUTBOX).whereNull('dispatched_at').orderBy('seq').limit(BATCH),
      )) as Row[];
      if (!rows.length) return;
      for (const row of rows) {
        const event = toEvent(tenant.id, row);
        for (const [name, fn] of this.subscribers)
          try {
            await fn(event, { tenantSlug: tenant.slug, signal: ctx.signal });
          } catch (e) {
            this.o.log.error('outbox: a subscriber failed; it will get the event again', {
              subscriber: name,
              tenant: tenant.slug,
              seq: event.seq,
              error: e instanceof Error ? e.message : String(e),
            });
            // Before the event is marked: if this enqueue fails, the whole batch is delivered again.
            await this.o.jobs.enqueue(
              OUTBOX_JOBS.redeliver,
              { subscriber: name, event: { ...event } },
              {
                tenantId: tenant.id,
              },
            );
          }
      }
      await this.session(ctx, (db) =>
        db
          .withSchema(tenant.schema)
          .table(OUTBOX)
          .whereIn(
            'seq',
            rows.map((r) => Number(r.seq)),
          )
          .update({ dispatched_at: db.fn.now() }),
      );
      if (rows.length < BATCH) return;
    }
    // More left: hand the slot to other tenants' jobs and continue in a fresh job.
    await this.o.jobs.enqueue(OUTBOX_JOBS.deliver, {}, { tenantId: tenant.id, key: 'deliver' });
  }

  private async redeliver(name: string, event: DispatchedEvent, ctx: JobContext) {
    const fn = this.subscribers.get(name);
    if (!fn) {
      this.o.log.warn('outbox: a retried event names a subscriber this process does not have', {
        subscriber: name,
        tenant: ctx.tenant.slug,
        seq: event.seq,
      });
      return;
    }
    await fn(event, { tenantSlug: ctx.tenant.slug, signal: ctx.signal });
  }

  /** Deletes delivered events past the retention (undelivered ones too when nobody subscribes). */
  private async prune(ctx: JobContext) {
    const anyone = this.subscribers.size > 0;
    for (;;) {
      const deleted = await this.session(ctx, (db) => {
        const cutoff = db.raw("now() - ? * interval '1 day'", [this.retentionDays]);
        const old = db
          .withSchema(ctx.tenant.schema)
          .table(OUTBOX)
          .where((q) => (anyone ? q.where('dispatched_at', '<', cutoff) : q.where('created_at', '<', cutoff)))
          .orderBy('seq')
          .limit(PRUNE_BATCH)
          .select('seq');
        return db.withSchema(ctx.tenant.schema).table(OUTBOX).whereIn('seq', old).delete(['seq']);
      });
      if (deleted.length < PRUNE_BATCH || ctx.signal.aborted) return;
    }
  }
}
