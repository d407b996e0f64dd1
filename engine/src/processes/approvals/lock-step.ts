import { DomainError, type FieldIssue } from '../../core/errors.js';
import type { ApprovalFlowDef } from '../../core/approval-model.js';
import { APPROVAL_REQUESTS, APPROVAL_TASKS } from '../../db/migrations/tenant-0002-approvals.js';
import type { RecordStep } from '../../records/pipeline.js';
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
  async run(ctx) {
    if (ctx.access === ctx.unrestricted || !hasFlows(ctx.model, ctx.object.name)) return;
    const ids = ctx.items.filter((i) => i.op !== 'create' && i.id).map((i) => i.id!);
    if (!ids.length) return;
    const pending = (await ctx.trx
      .withSchema(ctx.schema)
      .from(APPROVAL_REQUESTS)
      .where('object', ctx.object.name)
      .where('status', 'pending')
      .whereIn('record_id', ids)
      .select('id', 'record_id', 'definition', 'step_seq')) as {
      id: string;
      record_id: string;
      definition: ApprovalFlowDef;
      step_seq: number;
    }[];
    if (!pending.length) return;
    const approving = new Set(
      (
        (await ctx.trx
          .withSchema(ctx.schema)
          .from(APPROVAL_TASKS)
          .whereIn(
            'request_id',
            pending.map((p) => p.id),
          )
          .where({ user_id: ctx.actor, status: 'pending' })
          .select('request_id', 'step_seq')) as { request_id: string; step_seq: number }[]
      )
        .filter((t) => pending.some((p) => p.id === t.request_id && p.step_seq === t.step_seq))
        .map((t) => t.request_id),
    );
    const issues: FieldIssue[] = [];
    for (const item of ctx.items) {
      const p = pending.find((x) => x.record_id === item.id);
      if (!p) continue;
      const lock = p.definition.lock ?? { mode: 'record' };
      if (item.op === 'delete') {
        issues.push({
          pointer: item.pointer || '/',
          code: 'RECORD_LOCKED_APPROVAL',
          params: { id: item.id },
        });
        continue;
      }
      if (lock.mode === 'none' || approving.has(p.id)) continue;
      if (lock.mode === 'record') {
        issues.push({
          pointer: item.pointer || '/',
          code: 'RECORD_LOCKED_APPROVAL',
          params: { id: item.id },
        });
        continue;
      }
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
  },
};
