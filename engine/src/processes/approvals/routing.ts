import type { Knex } from 'knex';
import type { ApprovalEvent } from '../../core/approval-model.js';
import { DomainError } from '../../core/errors.js';
import type { I18nText, JsonValue, Lang } from '../../core/model.js';
import type { CompiledModel, CompiledObject } from '../../metadata/compile.js';
import { ALLOW_ALL } from '../../records/access.js';
import type { RecordsService, Scope } from '../../records/service.js';
import { asJson, dataFor, loadLookups, todayIn } from '../../rule-steps/context.js';
import { evaluate, truthy, type CompiledExpr } from '../../rules/index.js';
import { RECORD_SHARES } from '../../schema-sync/ddl.js';
import { policyFor } from '../../security/policy.js';
import type { Audience } from '../actions/registry.js';
import { renderTemplate } from '../notifications/templates.js';
import { storeNotifications, type NewNotification } from '../notifications/store.js';
import type { CompiledFlow, CompiledStep } from './compiled.js';
import type { ApprovalStore, RequestRow, RequestStatus } from './store.js';
import { userRows } from './users.js';

/** One decision's work: everything it reads and writes goes through `trx`, and commits together. */
export interface Run {
  trx: Knex;
  store: ApprovalStore;
  records: RecordsService;
  /** The caller's scope (tenant, schema, model). */
  scope: Scope;
  /** Who acts (the submitter, the approver, the admin). */
  actor: string;
  model: CompiledModel;
  object: CompiledObject;
  flow: CompiledFlow;
  req: RequestRow;
  timeZone: string;
  notes: NewNotification[];
  /** Steps entered with a due time: their escalation is scheduled once the decision commits. */
  due: { requestId: string; stepSeq: number; runAt: Date }[];
}

/**
 * The system's scope for the request's own writes: every field, any lock, on behalf of the actor,
 * with origin `approval:<request id>` (field history, events and the audit log keep it).
 */
export const systemScope = (r: Run): Scope => ({
  ...r.scope,
  access: ALLOW_ALL,
  actor: r.actor,
  origin: `approval:${r.req.id}`,
});

export async function readRow(r: Run): Promise<Record<string, unknown>> {
  const row = (await r.trx
    .withSchema(r.scope.schema)
    .from(r.object.table)
    .where('id', r.req.record_id)
    .first()) as Record<string, unknown> | undefined;
  if (!row) throw new DomainError(404, 'RECORD_NOT_FOUND', { object: r.object.name, id: r.req.record_id });
  return row;
}

/** Evaluates a flow condition on the stored record (lookups loaded as the system). */
export async function holds(
  db: Knex,
  scope: Scope,
  model: CompiledModel,
  o: CompiledObject,
  expr: CompiledExpr,
  row: Record<string, unknown>,
  userId: string,
  timeZone: string,
): Promise<boolean> {
  const record = asJson(o, row)!;
  const [lookups] = expr.refs.lookups.size
    ? await loadLookups(db, scope.schema, model, o, expr.refs.lookups, [record])
    : [undefined];
  const now = new Date();
  const v = evaluate(expr, dataFor(record, null, userId, todayIn(timeZone, now), now.toISOString(), lookups));
  return 'value' in v && truthy(v.value);
}

/** The approvers of a step for this record: each source's users, the submitter left out unless allowed. */
export async function resolveStep(
  db: Knex,
  scope: Scope,
  model: CompiledModel,
  o: CompiledObject,
  step: CompiledStep,
  row: Record<string, unknown>,
  submitter: string,
) {
  const sources: { describe: I18nText; users: string[] }[] = [];
  for (const a of step.approvers)
    sources.push({
      describe: a.describe,
      users: await a.resolve({ db, schema: scope.schema, model, object: o, row, submitter }),
    });
  const all = [...new Set(sources.flatMap((s) => s.users))];
  const users = step.allowSelfApproval ? all : all.filter((u) => u !== submitter);
  return { sources, users, selfExcluded: users.length !== all.length };
}

const STATUS_TEXT: Record<RequestStatus, I18nText> = {
  pending: { en: 'pending', 'zh-CN': '审批中' },
  approved: { en: 'approved', 'zh-CN': '通过' },
  rejected: { en: 'rejected', 'zh-CN': '驳回' },
  recalled: { en: 'recalled', 'zh-CN': '撤回' },
  cancelled: { en: 'cancelled', 'zh-CN': '已取消' },
};

/** Keeps the flow's status field (if any) at the request's status, through the write pipeline. */
async function setStatus(r: Run, status: RequestStatus) {
  if (!r.flow.statusField) return;
  await r.records.writeWithin(r.trx, systemScope(r), r.object.name, [
    { op: 'update', id: r.req.record_id, data: { [r.flow.statusField]: status } },
  ]);
}

/** The people of this request an action or notification can address. */
async function audience(r: Run): Promise<(who: Audience) => string[]> {
  const row = await readRow(r);
  const approvers = (await r.store.currentTasks(r.req))
    .filter((t) => t.status === 'pending' || t.status === 'waiting')
    .map((t) => t.user_id);
  return (who) =>
    who === 'submitter'
      ? [r.req.submitter]
      : who === 'owner'
        ? [row.owner as string]
        : who === 'actor'
          ? [r.actor]
          : approvers;
}

export async function runActions(r: Run, event: ApprovalEvent, comment: string | null) {
  const list = r.flow.actions[event];
  if (!list.length) return;
  const who = await audience(r);
  for (const a of list)
    await a.run({
      trx: r.trx,
      records: r.records,
      scope: systemScope(r),
      object: r.object,
      recordId: r.req.record_id,
      audience: who,
      notify: (ids, template) => notify(r, ids, template, { comment }),
    });
}

/**
 * Queues notifications rendered for each recipient: the record's fields they may read (others
 * blank), labels in both languages. Stored with the decision, in its transaction.
 */
export async function notify(
  r: Run,
  userIds: string[],
  template: string,
  extra: { comment?: string | null; decision?: RequestStatus; step?: CompiledStep | null },
) {
  if (!userIds.length) return;
  const row = await readRow(r);
  const record = asJson(r.object, row)!;
  const people = await userRows(r.trx, r.scope.schema, [...userIds, r.req.submitter, r.actor]);
  const nameOf = (id: string) => people.get(id)?.display_name ?? '';
  const step = extra.step ?? (r.req.current_step !== null ? r.flow.steps[r.req.current_step] : null);
  for (const id of new Set(userIds)) {
    const u = people.get(id);
    if (!u?.active) continue;
    const access = policyFor(
      r.model,
      { userId: u.id, isAdmin: u.is_admin, role: u.role, profile: u.profile },
      r.scope.schema,
    );
    const readable = access.readable(r.object);
    const fields: Record<string, unknown> = { id: record.id };
    for (const f of r.object.fieldList) fields[f.name] = readable.has(f.name) ? (record[f.name] ?? '') : '';
    fields.name =
      r.object.nameField && readable.has(r.object.nameField) ? (record[r.object.nameField] ?? '') : '';
    const ctx = (lang: Lang) => ({
      record: fields,
      object: r.object.def.label[lang],
      flow: r.flow.label[lang],
      step: step?.label[lang] ?? '',
      submitter: nameOf(r.req.submitter),
      actor: nameOf(r.actor),
      comment: extra.comment ?? '',
      decision: extra.decision ? STATUS_TEXT[extra.decision][lang] : '',
    });
    const text = renderTemplate(r.model, template, { en: ctx('en'), 'zh-CN': ctx('zh-CN') });
    r.notes.push({
      userId: id,
      kind: template,
      ...text,
      link: { object: r.object.name, recordId: r.req.record_id, requestId: r.req.id },
    });
  }
}

export async function flushNotifications(r: Run) {
  await storeNotifications(r.trx, r.scope.schema, r.notes);
  r.notes = [];
}

/**
 * Approvers may read the record while it waits for them, even where sharing would not let them:
 * a read share on the record (reason `approval:<id>`) for every pending or waiting approver,
 * removed when they no longer are. Their profile still decides which fields they see.
 */
export async function syncShares(r: Run) {
  const reason = `approval:${r.req.id}`;
  const open =
    r.req.status === 'pending'
      ? [
          ...new Set(
            (await r.store.currentTasks(r.req))
              .filter((t) => t.status === 'pending' || t.status === 'waiting')
              .map((t) => t.user_id),
          ),
        ]
      : [];
  const shares = () => r.trx.withSchema(r.scope.schema).table(RECORD_SHARES);
  await shares()
    .where({ object_id: r.object.id, record_id: r.req.record_id, reason })
    .whereNotIn('user_id', open.length ? open : ['00000000-0000-0000-0000-000000000000'])
    .delete();
  if (open.length)
    await shares()
      .insert(
        open.map((u) => ({
          object_id: r.object.id,
          record_id: r.req.record_id,
          user_id: u,
          access: 'read',
          reason,
        })),
      )
      .onConflict(['object_id', 'record_id', 'user_id'])
      .ignore();
}

/**
 * Moves the request to the first step from `from` on whose skip condition does not hold: its
 * approvers get tasks and a notification. Past the last step the request is approved.
 */
export async function enterFrom(r: Run, from: number, comment: string | null): Promise<void> {
  for (let i = from; i < r.flow.steps.length; i++) {
    const step = r.flow.steps[i];
    const row = await readRow(r);
    if (
      step.skipIf &&
      (await holds(r.trx, r.scope, r.model, r.object, step.skipIf, row, r.actor, r.timeZone))
    ) {
      await r.store.log(r.req.id, 'skip', { step: i, detail: { reason: 'condition', stepName: step.name } });
      continue;
    }
    const { users } = await resolveStep(r.trx, r.scope, r.model, r.object, step, row, r.req.submitter);
    if (!users.length)
      throw new DomainError(422, 'APPROVAL_NO_APPROVERS', { step: step.label, flow: r.flow.label });
    const due = step.dueHours !== null ? new Date(Date.now() + step.dueHours * 3_600_000) : null;
    r.req = { ...r.req, current_step: i, step_seq: r.req.step_seq + 1, step_due_at: due };
    await r.store.updateRequest(r.req.id, { current_step: i, step_seq: r.req.step_seq, step_due_at: due });
    await r.store.addTasks(
      r.req,
      i,
      users.map((userId) => ({ userId, origin: 'route' as const })),
    );
    if (due) r.due.push({ requestId: r.req.id, stepSeq: r.req.step_seq, runAt: due });
    await r.store.log(r.req.id, 'step_entered', {
      step: i,
      detail: { approvers: users, stepName: step.name },
    });
    await notify(r, users, 'approval_requested', { comment, step });
    return;
  }
  await finish(r, 'approved', null);
}

/** Ends the request: status, open tasks cancelled, status field, the outcome's actions, the submitter told. */
export async function finish(
  r: Run,
  outcome: Exclude<RequestStatus, 'pending' | 'cancelled'>,
  comment: string | null,
) {
  const openTasks = r.store.tasks().where('request_id', r.req.id).whereIn('status', ['pending', 'waiting']);
  await openTasks.update({ status: 'cancelled', decided_at: r.trx.fn.now() });
  r.req = { ...r.req, status: outcome, current_step: null, step_due_at: null, decided_at: new Date() };
  await r.store.updateRequest(r.req.id, {
    status: outcome,
    current_step: null,
    step_due_at: null,
    decided_at: r.req.decided_at,
  });
  await r.store.log(r.req.id, outcome, { actor: r.actor, comment });
  await setStatus(r, outcome);
  await runActions(r, outcome, comment);
  if (outcome === 'recalled') return;
  await notify(r, [r.req.submitter], 'approval_decided', { comment, decision: outcome, step: null });
}

/** After submit: the status field, the submit actions, then the first step. */
export async function start(r: Run, comment: string | null) {
  await setStatus(r, 'pending');
  await runActions(r, 'submit', comment);
  await enterFrom(r, 0, comment);
}

export const detailOf = (v: Record<string, unknown>) => v as Record<string, JsonValue>;
