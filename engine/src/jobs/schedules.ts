import { createHash } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import { JOB_SCHEDULES, TENANTS } from '../db/engine-tables.js';
import type { JobKinds } from './kinds.js';
import type { JobStore } from './store.js';

/** The first time after `after` that `cron` (5 or 6 fields) names, read in `timeZone`. */
export function nextRun(cron: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timeZone }).next().toDate();
}

/**
 * A tenant's fixed offset in [0, spreadMs) for a spread system schedule: a hash of the tenant id
 * and the schedule's name, so the same tenant always runs at the same point of the period and
 * many tenants are spread evenly over it instead of enqueueing in the same minute.
 */
export function spreadOffset(tenantId: string, name: string, spreadMs: number): number {
  if (!(spreadMs > 0)) return 0;
  const h = createHash('sha256').update(`${name}:${tenantId}`).digest().readUInt32BE(0);
  return h % Math.floor(spreadMs);
}

/** A valid IANA zone name? (Intl throws a RangeError on an unknown one.) */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface ScheduleDef {
  name: string;
  kind: string;
  /** Cron expression (minute hour day-of-month month day-of-week, optional leading seconds). */
  cron: string;
  payload?: Record<string, unknown>;
  /** Null or absent: the tenant's time zone, read at each run (it follows a change of the tenant's zone). */
  timeZone?: string | null;
}

interface DueRow {
  tenant_id: string;
  name: string;
  kind: string;
  payload: Record<string, unknown>;
  cron: string;
  time_zone: string | null;
  next_run_at: Date;
  tenant_tz: string | null;
}

/**
 * Periodic schedules, per tenant, in the tenant's time zone. A due schedule becomes one job in
 * the same transaction that moves it to its next time, under FOR UPDATE SKIP LOCKED: however
 * many engine processes tick, each occurrence is enqueued once. Occurrences missed while no
 * engine ran are not replayed one by one: the schedule runs once, then continues from now.
 */
export class Schedules {
  constructor(
    private knex: Knex,
    private platform: Ident,
    private kinds: JobKinds,
    private store: JobStore,
    private defaultTimeZone: string,
  ) {}

  private table(db: Knex = this.knex) {
    return db.withSchema(this.platform).table(JOB_SCHEDULES);
  }

  private check(s: ScheduleDef) {
    this.kinds.check(s.kind, s.payload ?? {});
    if (s.timeZone && !isTimeZone(s.timeZone)) throw new Error(`unknown time zone "${s.timeZone}"`);
    nextRun(s.cron, 'UTC', new Date()); // throws on a bad expression
  }

  /**
   * Tenants and their zones; with `lacking`, only tenants that miss one of these system schedules
   * or hold another definition of it (kind, cron, a zone or payload of its own).
   */
  private async tenantZones(
    ids?: string[],
    lacking?: { name: string; kind: string; cron: string }[],
  ): Promise<{ id: string; tz: string }[]> {
    const q = this.knex.withSchema(this.platform).table(TENANTS).select('id', 'time_zone');
    if (ids) q.whereIn('id', ids);
    if (lacking)
      q.whereRaw(
        `(select count(*) from ??.?? s where s.tenant_id = ??.id and s.time_zone is null
            and s.payload = '{}'::jsonb
            and (s.name, s.kind, s.cron) in (select * from unnest(?::text[], ?::text[], ?::text[]))) < ?`,
        [
          this.platform,
          JOB_SCHEDULES,
          TENANTS,
          lacking.map((l) => l.name),
          lacking.map((l) => l.kind),
          lacking.map((l) => l.cron),
          lacking.length,
        ],
      );
    return ((await q) as { id: string; time_zone: string | null }[]).map((t) => ({
      id: t.id,
      tz: t.time_zone ?? this.defaultTimeZone,
    }));
  }

  /** Rows for these schedules; a schedule whose cron changed starts again from its next time. */
  private async upsert(rows: Record<string, unknown>[], db: Knex = this.knex) {
    for (let i = 0; i < rows.length; i += 500)
      await this.table(db)
        .insert(rows.slice(i, i + 500))
        .onConflict(['tenant_id', 'name'])
        .merge({
          kind: db.raw('excluded.kind'),
          payload: db.raw('excluded.payload'),
          time_zone: db.raw('excluded.time_zone'),
          next_run_at: db.raw(
            'case when ??.cron is distinct from excluded.cron or ??.time_zone is distinct from excluded.time_zone then excluded.next_run_at else ??.next_run_at end',
            [JOB_SCHEDULES, JOB_SCHEDULES, JOB_SCHEDULES],
          ),
          cron: db.raw('excluded.cron'),
        });
  }

  /** Creates or changes a tenant's schedule (later features: time-based rules, reminders…). */
  async set(tenantId: string, s: ScheduleDef, db: Knex = this.knex): Promise<void> {
    this.check(s);
    const [t] = await this.tenantZones([tenantId]);
    if (!t) throw new Error(`no tenant ${tenantId}`);
    await this.upsert(
      [
        {
          tenant_id: tenantId,
          name: s.name,
          kind: s.kind,
          payload: JSON.stringify(s.payload ?? {}),
          cron: s.cron,
          time_zone: s.timeZone ?? null,
          next_run_at: nextRun(s.cron, s.timeZone ?? t.tz, new Date()),
        },
      ],
      db,
    );
  }

  async remove(tenantId: string, name: string): Promise<boolean> {
    // RETURNING: knex-pglite reports a bare DELETE's count in a shape knex does not read.
    return (await this.table().where({ tenant_id: tenantId, name }).delete(['name'])).length > 0;
  }

  async list(tenantId: string) {
    return this.table().where({ tenant_id: tenantId }).orderBy('name').select('*');
  }

  /**
   * The schedules registered job kinds declare, for these tenants (all tenants when omitted).
   * Only tenants that miss one or hold an older definition are written: at start-up, with every
   * tenant up to date, this is one read and no write, however many tenants there are (it used
   * to rewrite every tenant's rows and compute their next runs on each start).
   */
  async ensureSystem(tenantIds?: string[]): Promise<void> {
    const kinds = this.kinds.all().filter((k) => k.schedule);
    if (!kinds.length) return;
    const now = new Date();
    const wanted = kinds.map((k) => ({ name: k.schedule!.name, kind: k.name, cron: k.schedule!.cron }));
    const rows = (await this.tenantZones(tenantIds, wanted)).flatMap((t) =>
      kinds.map((k) => ({
        tenant_id: t.id,
        name: k.schedule!.name,
        kind: k.name,
        payload: '{}',
        cron: k.schedule!.cron,
        time_zone: null,
        next_run_at: this.systemNext(k.schedule!, t.id, t.tz, now),
      })),
    );
    await this.upsert(rows);
  }

  /** The next run of a kind's system schedule for a tenant, offset by its spread. */
  private systemNext(
    s: { cron: string; name: string; spreadMs?: number },
    tenantId: string,
    tz: string,
    after: Date,
  ) {
    const off = spreadOffset(tenantId, s.name, s.spreadMs ?? 0);
    // The cron time after (after - off), moved by off: the first offset occurrence after `after`.
    return new Date(nextRun(s.cron, tz, new Date(after.getTime() - off)).getTime() + off);
  }

  /** Turns due schedules into jobs; returns how many. */
  async tick(limit = 100): Promise<number> {
    return this.knex.transaction(async (trx) => {
      const due = (await trx
        .withSchema(this.platform)
        .from(`${JOB_SCHEDULES} as s`)
        .join(`${TENANTS} as t`, 't.id', 's.tenant_id')
        .where('s.next_run_at', '<=', trx.fn.now())
        .orderBy('s.next_run_at')
        .limit(limit)
        .forUpdate('s')
        .skipLocked()
        .select('s.*', 't.time_zone as tenant_tz')) as DueRow[];
      const now = new Date();
      for (const s of due) {
        const kind = this.kinds.get(s.kind);
        // A kind this process does not know (an older engine beside a newer one): the job
        // waits in the queue for a process that does.
        await this.store.insert(
          {
            tenantId: s.tenant_id,
            kind: s.kind,
            payload: s.payload,
            runAt: s.next_run_at,
            key: `schedule:${s.name}`,
            maxAttempts: kind?.maxAttempts ?? 5,
          },
          trx,
        );
        const tz = s.time_zone ?? s.tenant_tz ?? this.defaultTimeZone;
        const from = s.next_run_at > now ? s.next_run_at : now;
        const sys = kind?.schedule?.name === s.name && kind.schedule.cron === s.cron ? kind.schedule : null;
        const next = sys ? this.systemNext(sys, s.tenant_id, tz, from) : nextRun(s.cron, tz, from);
        await this.table(trx)
          .where({ tenant_id: s.tenant_id, name: s.name })
          .update({ next_run_at: next, last_run_at: s.next_run_at });
      }
      return due.length;
    });
  }
}
