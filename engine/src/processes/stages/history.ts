import type { Knex } from 'knex';
import type { Ident } from '../../core/ident.js';
import type { CompiledObject } from '../../metadata/compile.js';
import type { AccessPolicy } from '../../records/access.js';
import type { RecordStep, WriteContext, WriteItem } from '../../records/pipeline.js';
import { STAGE_HISTORY } from '../../schema-sync/ddl.js';
import type { CompiledPipeline, CompiledStage } from './compiled.js';

const DAY = 86_400_000;

/** When a stay that began at `entered` becomes stale (null: the stage has no maximum). */
export const dueAt = (s: CompiledStage, entered: Date): Date | null =>
  s.maxDays === null ? null : new Date(entered.getTime() + s.maxDays * DAY);

/** A stage change a write makes: noted by the gate step, stored by the history step. */
export interface StageMove {
  item: WriteItem;
  pipeline: string;
  businessType: string | null;
  from: string | null;
  to: string;
  at: Date;
}

const moves = new WeakMap<WriteContext, StageMove[]>();
export const noteMove = (ctx: WriteContext, m: StageMove) => {
  const list = moves.get(ctx);
  if (list) list.push(m);
  else moves.set(ctx, [m]);
};

/**
 * Stores the moves of a write after persist, in its transaction: the stay in the old stage ends
 * (one UPDATE for the write's records), a stay in the new one begins (one multi-row INSERT),
 * with who moved it. Writes that move nothing do nothing here.
 */
export const stageHistoryStep: RecordStep = {
  name: 'stage-history',
  // The gate step says when a write needs a transaction and the stored rows.
  needsTransaction: () => false,
  needsBefore: () => false,
  // Synchronous when the write moves nothing (most writes): the pipeline then awaits nothing.
  run(ctx) {
    const list = moves.get(ctx);
    if (list?.length) return storeMoves(ctx, list);
  },
};

async function storeMoves(ctx: WriteContext, list: StageMove[]) {
  const t = () => ctx.trx.withSchema(ctx.schema).table(STAGE_HISTORY);
  const ended = list.filter((m) => m.item.op === 'update').map((m) => m.item.id!);
  const rows = list.map((m) => ({
    object_id: ctx.object.id,
    record_id: m.item.after!.id,
    pipeline: m.pipeline,
    business_type: m.businessType,
    from_stage: m.from,
    to_stage: m.to,
    entered_at: m.at,
    actor: ctx.actor,
    // the write's origin (user, automation:…, import:…) once the pipeline carries one
    origin: (ctx as { origin?: string }).origin ?? 'user',
  }));
  // One statement: the old stays end (a data-modifying CTE) as the new ones begin.
  const close = t()
    .where('object_id', ctx.object.id)
    .whereIn('record_id', ended)
    .whereNull('left_at')
    .update({ left_at: list[0].at });
  await (ended.length ? ctx.trx.with('_closed', close) : ctx.trx)
    .withSchema(ctx.schema)
    .table(STAGE_HISTORY)
    .insert(rows);
}

export interface HistoryEntry {
  pipeline: string | null;
  businessType: string | null;
  from: string | null;
  to: string;
  enteredAt: string;
  leftAt: string | null;
  /** Days in the stage: until it left, or until now for the current stay. */
  days: number;
  actor: string | null;
  origin: string;
}

/** One record's stays, oldest first. */
export async function readHistory(
  db: Knex,
  schema: Ident,
  o: CompiledObject,
  id: string,
): Promise<HistoryEntry[]> {
  const rows = (await db
    .withSchema(schema)
    .from(STAGE_HISTORY)
    .where({ object_id: o.id, record_id: id })
    .orderBy('seq')
    .limit(1000)
    .select(
      'pipeline',
      'business_type',
      'from_stage',
      'to_stage',
      'entered_at',
      'left_at',
      'actor',
      'origin',
    )) as {
    pipeline: string | null;
    business_type: string | null;
    from_stage: string | null;
    to_stage: string;
    entered_at: Date;
    left_at: Date | null;
    actor: string | null;
    origin: string;
  }[];
  const now = Date.now();
  return rows.map((r) => ({
    pipeline: r.pipeline,
    businessType: r.business_type,
    from: r.from_stage,
    to: r.to_stage,
    enteredAt: r.entered_at.toISOString(),
    leftAt: r.left_at ? r.left_at.toISOString() : null,
    days: Math.round((((r.left_at?.getTime() ?? now) - r.entered_at.getTime()) / DAY) * 100) / 100,
    actor: r.actor,
    origin: r.origin,
  }));
}

export interface StageStats {
  value: string;
  label: unknown;
  category: string;
  /** Records that entered this stage. */
  entered: number;
  /** …and later moved on to a later open or won stage. */
  advanced: number;
  /** …and later moved to a lost stage. */
  lost: number;
  /** advanced / entered (null when none entered). */
  conversionRate: number | null;
  /** Average days of the stays that ended. */
  averageDays: number | null;
  /** Records in the stage now, and how many of them are stale. */
  current: number;
  stale: number;
}

/**
 * Conversion and duration per stage of one pipeline, over the records the caller may read
 * (two queries: the history joined to the stages' order, and the records in each stage now).
 */
export async function pipelineStats(
  db: Knex,
  schema: Ident,
  o: CompiledObject,
  pipeline: CompiledPipeline,
  types: string[] | null,
  access: AccessPolicy,
): Promise<StageStats[]> {
  const visible = db.withSchema(schema).from(o.table).select('id');
  access.scopeRead(visible, o, (n) => `${o.table}.${n}`);
  const stays = db
    .withSchema(schema)
    .from(`${STAGE_HISTORY} as h`)
    .joinRaw(
      'join unnest(?::text[], ?::int[], ?::boolean[]) as r(stage, rank, lost) on r.stage = h.to_stage',
      [
        pipeline.stages.map((s) => s.value),
        pipeline.stages.map((s) => s.index),
        pipeline.stages.map((s) => s.category === 'lost'),
      ],
    )
    .where('h.object_id', o.id)
    .where('h.pipeline', pipeline.name)
    .whereIn('h.record_id', visible)
    .select('h.record_id', 'h.seq', 'h.to_stage', 'h.entered_at', 'h.left_at', 'r.rank', 'r.lost');
  const later = (lost: boolean) =>
    db.raw(
      lost
        ? 'exists (select 1 from h h2 where h2.record_id = h.record_id and h2.seq > h.seq and h2.lost)'
        : 'exists (select 1 from h h2 where h2.record_id = h.record_id and h2.seq > h.seq and not h2.lost and h2.rank > h.rank)',
    );
  const rows = (await db
    .with('h', stays)
    .from('h')
    .groupBy('to_stage')
    .select(
      'to_stage',
      db.raw('count(distinct record_id)::int as entered'),
      db.raw('(count(distinct record_id) filter (where ?))::int as advanced', [later(false)]),
      db.raw('(count(distinct record_id) filter (where ?))::int as lost', [later(true)]),
      db.raw(
        'avg(extract(epoch from left_at - entered_at) / 86400) filter (where left_at is not null) as average_days',
      ),
    )) as {
    to_stage: string;
    entered: number;
    advanced: number;
    lost: number;
    average_days: string | null;
  }[];
  const column = pipeline.field.column;
  const now = db.withSchema(schema).from(o.table).groupBy(column);
  access.scopeRead(now, o, (n) => `${o.table}.${n}`);
  if (types) now.whereIn('business_type', types);
  const current = (await now.select(
    `${column} as stage`,
    db.raw('count(*)::int as n'),
    db.raw('(count(*) filter (where ?? < now()))::int as stale', ['stage_due_at']),
  )) as { stage: string; n: number; stale: number }[];
  const byStage = new Map(rows.map((r) => [r.to_stage, r]));
  const nowBy = new Map(current.map((r) => [r.stage, r]));
  return pipeline.stages.map((s) => {
    const r = byStage.get(s.value);
    const entered = r?.entered ?? 0;
    const advanced = r?.advanced ?? 0;
    return {
      value: s.value,
      label: s.label,
      category: s.category,
      entered,
      advanced,
      lost: r?.lost ?? 0,
      conversionRate: entered ? Math.round((advanced / entered) * 1000) / 1000 : null,
      averageDays:
        r?.average_days === null || r === undefined ? null : Math.round(Number(r.average_days) * 100) / 100,
      current: nowBy.get(s.value)?.n ?? 0,
      stale: nowBy.get(s.value)?.stale ?? 0,
    };
  });
}
