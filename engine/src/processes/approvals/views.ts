import type { Knex } from 'knex';
import type { I18nText } from '../../core/model.js';
import { APPROVAL_REQUESTS, APPROVAL_TASKS } from '../../db/engine-tables.js';
import type { Scope } from '../../records/service.js';
import { nextCursor, pageParams } from '../notifications/store.js';
import { ApprovalStore, type RequestRow, type TaskRow } from './store.js';
import { userRows } from './users.js';

interface DecisionRow {
  seq: string;
  request_id: string;
  step: number | null;
  actor: string | null;
  action: string;
  comment: string | null;
  detail: Record<string, unknown> | null;
  at: Date;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Requests as the API shows them: steps, current approvers, and the whole timeline with names. */
export async function requestViews(db: Knex, scope: Scope, reqs: RequestRow[]) {
  if (!reqs.length) return [];
  const store = new ApprovalStore(db, scope.schema);
  const ids = reqs.map((r) => r.id);
  const tasks = (await store
    .tasks()
    .whereIn('request_id', ids)
    .orderBy('created_at')
    .orderBy('id')) as TaskRow[];
  const decisions = (await store.decisions().whereIn('request_id', ids).orderBy('seq')) as DecisionRow[];
  const people = await userRows(db, scope.schema, [
    ...reqs.map((r) => r.submitter),
    ...tasks.map((t) => t.user_id),
    ...decisions
      .flatMap((d) => [
        d.actor,
        (d.detail?.to as string) ?? null,
        (d.detail?.from as string) ?? null,
        (d.detail?.user as string) ?? null,
      ])
      .filter((x): x is string => typeof x === 'string'),
  ]);
  const who = (id: string | null) => (id ? { id, name: people.get(id)?.display_name ?? null } : null);
  return reqs.map((r) => {
    const steps = r.definition.steps;
    const label = (i: number | null): I18nText | null => (i === null ? null : (steps[i]?.label ?? null));
    const mine = tasks.filter((t) => t.request_id === r.id);
    const current = r.status === 'pending' ? mine.filter((t) => t.step_seq === r.step_seq) : [];
    return {
      id: r.id,
      flow: r.flow,
      flowLabel: r.definition.label,
      object: r.object,
      recordId: r.record_id,
      round: r.round,
      status: r.status,
      submitter: who(r.submitter),
      comment: r.comment,
      submittedAt: iso(r.submitted_at),
      decidedAt: iso(r.decided_at),
      metaVersion: r.meta_version,
      steps: steps.map((s, i) => ({ index: i, name: s.name, label: s.label, mode: s.mode ?? 'any' })),
      currentStep:
        r.current_step === null
          ? null
          : {
              index: r.current_step,
              name: steps[r.current_step]?.name,
              label: label(r.current_step),
              dueAt: iso(r.step_due_at),
            },
      approvers: current.map((t) => ({
        ...who(t.user_id)!,
        status: t.status,
        origin: t.origin,
        taskId: t.id,
      })),
      decisions: decisions
        .filter((d) => d.request_id === r.id)
        .map((d) => ({
          action: d.action,
          step: d.step === null ? null : { index: d.step, name: steps[d.step]?.name, label: label(d.step) },
          actor: who(d.actor),
          comment: d.comment,
          detail: d.detail,
          at: d.at.toISOString(),
        })),
    };
  });
}

export type Box = 'pending' | 'done' | 'submitted';

/**
 * The caller's inbox: requests waiting for them (pending), those they decided (done), those they
 * submitted — newest first, paged, optionally for one object.
 */
export async function inbox(
  db: Knex,
  scope: Scope,
  box: Box,
  q: { object?: string; limit?: number; cursor?: string },
) {
  const { limit, offset } = pageParams(q.limit, q.cursor);
  const R = APPROVAL_REQUESTS;
  const T = APPROVAL_TASKS;
  const base = db.withSchema(scope.schema).from(R).select(`${R}.*`);
  if (q.object) base.where(`${R}.object`, q.object);
  if (box === 'submitted') base.where(`${R}.submitter`, scope.actor).orderBy(`${R}.submitted_at`, 'desc');
  else {
    const statuses = box === 'pending' ? ['pending'] : ['approved', 'rejected', 'transferred'];
    base
      .whereIn(`${R}.id`, (sub) =>
        sub
          .withSchema(scope.schema)
          .from(T)
          .select('request_id')
          .where('user_id', scope.actor)
          .whereIn('status', statuses),
      )
      .orderBy(`${R}.submitted_at`, 'desc');
    if (box === 'pending') base.where(`${R}.status`, 'pending');
  }
  base
    .orderBy(`${R}.id`, 'desc')
    .offset(offset)
    .limit(limit + 1);
  const rows = (await base) as RequestRow[];
  const page = rows.slice(0, limit);
  const views = await requestViews(db, scope, page);
  const names = await recordNames(db, scope, page);
  return {
    data: views.map((v) => ({ ...v, recordName: names.get(`${v.object}:${v.recordId}`) ?? null })),
    meta: { next_cursor: nextCursor(offset, limit, rows.length) },
  };
}

/** The name of each request's record (its name field), for inbox lines. */
async function recordNames(db: Knex, scope: Scope, reqs: RequestRow[]) {
  const out = new Map<string, string>();
  const byObject = new Map<string, string[]>();
  for (const r of reqs) byObject.set(r.object, [...(byObject.get(r.object) ?? []), r.record_id]);
  for (const [name, ids] of byObject) {
    const o = scope.model.objects.get(name);
    const nf = o?.nameField ? o.fields.get(o.nameField) : undefined;
    if (!o || !nf) continue;
    const rows = (await db
      .withSchema(scope.schema)
      .from(o.table)
      .whereIn('id', ids)
      .select('id', `${nf.column} as name`)) as { id: string; name: unknown }[];
    for (const row of rows) out.set(`${name}:${row.id}`, row.name === null ? '' : String(row.name));
  }
  return out;
}
