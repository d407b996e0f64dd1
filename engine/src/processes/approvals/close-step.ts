import type { CompiledModel, CompiledObject } from '../../metadata/compile.js';
import type { PrepareContext, RecordStep, WriteContext } from '../../records/pipeline.js';
import { APPROVAL_REQUESTS } from '../../db/engine-tables.js';
import { RECORD_SHARES } from '../../schema-sync/ddl.js';
import { hasFlows } from './compiled.js';
import { ApprovalStore, type RequestRow } from './store.js';

/**
 * The objects whose records go when a record of `o` is deleted: `o`, and the children that
 * cascade from it (master-detail), transitively. The database deletes those children itself.
 */
function cascading(model: CompiledModel, o: CompiledObject): CompiledObject[] {
  const seen = new Map<string, CompiledObject>([[o.name, o]]);
  const todo = [o];
  while (todo.length) {
    const parent = todo.pop()!;
    for (const c of parent.children) {
      const child = model.objects.get(c.object);
      const cascades = child?.fields.get(c.field)?.storage.references?.onDelete === 'cascade';
      if (!child || !cascades || seen.has(child.name)) continue;
      seen.set(child.name, child);
      todo.push(child);
    }
  }
  return [...seen.values()].filter((x) => hasFlows(model, x.name));
}

const deletes = (ctx: Pick<PrepareContext, 'items'>) => ctx.items.some((i) => i.op === 'delete');

/**
 * A record deleted while its request is pending (an admin may; a master-detail parent's delete
 * takes its children along): the request ends as `cancelled` in the delete's transaction — not
 * `recalled` (the submitter did not take it back, and the flow's recall actions would write to
 * a record that is gone). Open tasks are cancelled, so it leaves every inbox; the approvers'
 * read shares go; the timeline says who deleted it. A pending escalation job then finds the
 * request closed and does nothing.
 */
export const approvalCloseStep: RecordStep = {
  name: 'approval-close',
  needsTransaction: (ctx) => deletes(ctx) && cascading(ctx.model, ctx.object).length > 0,
  needsBefore: () => false,
  // Synchronous unless the write deletes records of an object with flows: nothing awaited.
  run(ctx) {
    if (!deletes(ctx)) return;
    const objects = cascading(ctx.model, ctx.object);
    if (objects.length) return closeRequests(ctx, objects);
  },
};

async function closeRequests(ctx: WriteContext, objects: CompiledObject[]) {
  const store = new ApprovalStore(ctx.trx, ctx.schema);
  const ids = ctx.items.filter((i) => i.op === 'delete' && i.id).map((i) => i.id!);
  for (const o of objects) {
    const q = store.requests().where({ object: o.name, status: 'pending' });
    // The deleted records themselves; for cascaded children, those whose row is gone now.
    if (o === ctx.object) q.whereIn('record_id', ids);
    else
      q.whereNotExists(
        ctx.trx
          .withSchema(ctx.schema)
          .from(o.table)
          .where(`${o.table}.id`, ctx.trx.ref(`${APPROVAL_REQUESTS}.record_id`))
          .select(`${o.table}.id`),
      );
    for (const req of (await q.forUpdate()) as RequestRow[]) await cancel(ctx, store, o, req);
  }
}

async function cancel(ctx: WriteContext, store: ApprovalStore, o: CompiledObject, req: RequestRow) {
  await store
    .tasks()
    .where('request_id', req.id)
    .whereIn('status', ['pending', 'waiting'])
    .update({ status: 'cancelled', decided_at: ctx.trx.fn.now() });
  await store.updateRequest(req.id, {
    status: 'cancelled',
    current_step: null,
    step_due_at: null,
    decided_at: new Date(),
  });
  await store.log(req.id, 'cancelled', {
    actor: ctx.actor,
    step: req.current_step,
    detail: { reason: 'record_deleted', origin: ctx.origin },
  });
  await ctx.trx
    .withSchema(ctx.schema)
    .table(RECORD_SHARES)
    .where({ object_id: o.id, record_id: req.record_id, reason: `approval:${req.id}` })
    .delete();
}
