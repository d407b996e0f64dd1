import { DomainError, type FieldIssue } from '../../core/errors.js';
import type { ApprovalFlowDef } from '../../core/approval-model.js';
import { APPROVAL_REQUESTS, APPROVAL_TASKS } from '../../db/engine-tables.js';
import type { RecordStep, WriteContext } from '../../records/pipeline.js';
import { hasFlows } from './compiled.js';

/**
 * The lock policy of pending approvals, enforced in the write pipeline on every path (single,
 * batch, imports, automation): while a record's request is pending, the record (or the flow's
 * listed fields) is read-only for everyone but the step's current approvers and administrators
 * (and the request's own writes, which run with the system's access); deleting it is refused.
 * Objects with flows write in a transaction, so a submit and an edit of one record never cross.
 */
export const approvalLockStep: RecordStep = {
  name: 'approval-lock',
  needsTransaction: (ctx) => hasFlows(ctx.model, ctx.object.name) && ctx.items.some((i) => i.op !== 'create'),
  needsBefore: () => false,
  // Synchronous for objects without flows (most writes): the pipeline then awaits nothing.
  run(ctx) {
    if (ctx.access === ctx.unrestricted || !hasFlows(ctx.model, ctx.object.name)) return;
    return refuseLocked(ctx);
  },
};

async function refuseLocked(ctx: WriteContext): Promise<void> {
  const ids = ctx.items.filter((i) => i.op !== 'create' && i.id).map((i) => i.id!);
  if (!ids.length) return;
  // One query: the pending requests of these records, and whether the writer decides at their step now.
  const R = APPROVAL_REQUESTS;
  const T = APPROVAL_TASKS;
  const pending = (await ctx.trx
    .withSchema(ctx.schema)
    .from(R)
    .where(`${R}.object`, ctx.object.name)
    .where(`${R}.status`, 'pending')
    .whereIn(`${R}.record_id`, ids)
    .select(`${R}.id`, `${R}.record_id`, `${R}.definition`)
    .select(
      ctx.trx
        .withSchema(ctx.schema)
        .from(T)
        .count('*')
        .where(`${T}.request_id`, ctx.trx.ref(`${R}.id`))
        .where(`${T}.step_seq`, ctx.trx.ref(`${R}.step_seq`))
        .where({ [`${T}.user_id`]: ctx.actor, [`${T}.status`]: 'pending' })
        .as('mine'),
    )) as { id: string; record_id: string; definition: ApprovalFlowDef; mine: string | number }[];
  if (!pending.length) return;
  const approving = new Set(pending.filter((p) => Number(p.mine) > 0).map((p) => p.id));
  const issues: FieldIssue[] = [];
  for (const item of ctx.items) {
    const p = pending.find((x) => x.record_id === item.id);
    if (!p) continue;
    const lock = p.definition.lock ?? { mode: 'record' };
    // Deleting is refused to everyone; a whole-record lock refuses edits but from the step's approvers.
    const wholeRecord = item.op === 'delete' || (lock.mode === 'record' && !approving.has(p.id));
    if (wholeRecord) {
      issues.push({
        pointer: item.pointer || '/',
        code: 'RECORD_LOCKED_APPROVAL',
        params: { id: item.id },
      });
      continue;
    }
    if (lock.mode === 'none' || approving.has(p.id)) continue;
    const fields = new Set(lock.fields ?? []);
    for (const name of Object.keys(item.input))
      if (fields.has(name)) {
        const label = ctx.object.fields.get(name)?.def.label ?? name;
        issues.push({
          pointer: `${item.pointer}/${name}`,
          code: 'FIELD_LOCKED_APPROVAL',
          params: { field: label },
        });
      }
  }
  if (issues.length) throw new DomainError(423, 'RECORD_LOCKED', { count: issues.length }, issues);
}
