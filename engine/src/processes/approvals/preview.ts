import type { Knex } from 'knex';
import { notFound } from '../../core/errors.js';
import { flowsOf } from './compiled.js';
import { holds, resolveStep } from './routing.js';
import type { ApprovalService, Caller } from './service.js';
import { userRows } from './users.js';

const WHY = {
  inactive: { en: 'The flow is inactive.', 'zh-CN': '该流程未启用。' },
  business_type: {
    en: 'The record’s business type is not one the flow applies to.',
    'zh-CN': '记录的业务类型不在该流程的适用范围内。',
  },
  entry: { en: 'The flow’s entry condition does not hold.', 'zh-CN': '不满足该流程的进入条件。' },
};

/**
 * What submitting `recordId` would do under flow `name`, changing nothing: whether the flow
 * applies (and which flow a plain submit would pick), each step run or skipped and why, and who
 * its approvers would be, by source. Later steps are shown as the record is now.
 */
export async function previewFlow(svc: ApprovalService, db: Knex, c: Caller, name: string, recordId: string) {
  const flows = flowsOf(c.scope.model);
  const flow = flows.byName.get(name);
  if (!flow) throw notFound('APPROVAL_FLOW_NOT_FOUND', { flow: name, object: '' });
  const o = flow.object;
  const row = (await db.withSchema(c.scope.schema).from(o.table).where('id', recordId).first()) as
    Record<string, unknown> | undefined;
  if (!row) throw notFound('RECORD_NOT_FOUND', { object: o.name, id: recordId });
  const applies = await svc.applies(db, c, flow, row);
  let chosen: string | null = null;
  for (const f of flows.byObject.get(o.name) ?? [])
    if ((await svc.applies(db, c, f, row)).ok) {
      chosen = f.name;
      break;
    }
  const submitter = c.scope.actor;
  const steps = [];
  for (const step of flow.steps) {
    const skipped =
      !!step.skipIf && (await holds(db, c.scope, c.scope.model, o, step.skipIf, row, submitter, 'UTC'));
    const resolved = skipped ? null : await resolveStep(db, c.scope, c.scope.model, o, step, row, submitter);
    const names = await userRows(db, c.scope.schema, resolved?.sources.flatMap((s) => s.users) ?? []);
    const person = (id: string) => ({ id, name: names.get(id)?.display_name ?? null });
    steps.push({
      index: step.index,
      name: step.name,
      label: step.label,
      mode: step.mode,
      skipped,
      why: skipped
        ? { en: 'Its skip condition holds for this record.', 'zh-CN': '此记录满足该步骤的跳过条件。' }
        : null,
      skipIf: flow.def.steps[step.index].skipIf ?? null,
      approvers: resolved?.users.map(person) ?? [],
      sources: resolved?.sources.map((s) => ({ describe: s.describe, users: s.users.map(person) })) ?? [],
      submitterExcluded: resolved?.selfExcluded ?? false,
      noApprovers: !!resolved && !resolved.users.length,
    });
  }
  return {
    flow: { name: flow.name, label: flow.label, object: o.name },
    recordId,
    applies: applies.ok,
    why: applies.why ? WHY[applies.why] : null,
    chosenFlow: chosen,
    steps,
  };
}
