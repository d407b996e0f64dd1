import type { Ident } from '../../core/ident.js';
import type { RecordStep, WriteContext } from '../../records/pipeline.js';
import { flowsOf, type CompiledFlow } from './compiled.js';
import { holds } from './routing.js';
import type { ApprovalService, Caller } from './service.js';
import { ApprovalStore } from './store.js';

/** Writes inside the pipeline's transaction never open a session: the role is not needed. */
const IN_TRANSACTION = '' as Ident;

const autoFlows = (ctx: Pick<WriteContext, 'model' | 'object'>) =>
  (flowsOf(ctx.model).byObject.get(ctx.object.name) ?? []).filter((f) => f.active && f.start !== 'submit');

/**
 * Flows that start themselves: `on: create` when a record is created, `on: condition` when the
 * condition turns true (true now, not before). Runs after persist, in the write's transaction,
 * with the writer as the submitter; a record already pending is left alone. The request's own
 * writes (the status field) go through the pipeline again in that transaction; the write then
 * returns the record as the start left it (`item.result`: status, version, ETag).
 */
export function approvalStartStep(service: () => ApprovalService, timeZone: string): RecordStep {
  return {
    name: 'approval-start',
    needsTransaction: (ctx) => autoFlows(ctx).length > 0 && ctx.items.some((i) => i.op !== 'delete'),
    needsBefore: (ctx) => autoFlows(ctx).some((f) => f.start === 'condition'),
    // Synchronous for objects without self-starting flows (most): the pipeline then awaits nothing.
    run(ctx) {
      const flows = autoFlows(ctx);
      if (flows.length) return startFlows(ctx, flows, service, timeZone);
    },
  };
}

async function startFlows(
  ctx: WriteContext,
  flows: CompiledFlow[],
  service: () => ApprovalService,
  timeZone: string,
) {
  const c: Caller = {
    isAdmin: ctx.access === ctx.unrestricted,
    scope: {
      tenantId: ctx.tenantId,
      schema: ctx.schema,
      actor: ctx.actor,
      model: ctx.model,
      access: ctx.access,
      dbRole: IN_TRANSACTION,
    },
  };
  const store = new ApprovalStore(ctx.trx, ctx.schema);
  for (const item of ctx.items) {
    if (item.op === 'delete' || !item.after) continue;
    const row = item.after;
    const id = row.id as string;
    const starts = async (f: CompiledFlow) => {
      if (item.op === 'create') return f.start === 'create' || (!!f.startCondition && (await cond(f, row)));
      return (
        f.start === 'condition' &&
        !!f.startCondition &&
        (await cond(f, row)) &&
        !(item.before && (await cond(f, item.before)))
      );
    };
    const cond = (f: CompiledFlow, r: Record<string, unknown>) =>
      holds(ctx.trx, c.scope, ctx.model, ctx.object, f.startCondition!, r, ctx.actor, timeZone);
    for (const f of flows) {
      if (!(await starts(f))) continue;
      if (!(await service().applies(ctx.trx, c, f, row)).ok) continue;
      if (await store.pendingFor(ctx.object.name, id)) break;
      await service().startWithin(ctx.trx, c, ctx.object, id, f, null);
      item.result = (await ctx.trx
        .withSchema(ctx.schema)
        .from(ctx.object.table)
        .where('id', id)
        .first()) as Record<string, unknown>;
      break;
    }
  }
}
