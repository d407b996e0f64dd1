import { OUTBOX } from '../../schema-sync/ddl.js';
import type { RecordStep } from '../pipeline.js';

/** Records what happened, in the same transaction; side effects leave after commit (records/outbox). */
export const outbox: RecordStep = {
  name: 'outbox',
  async run(ctx) {
    for (const item of ctx.items) {
      const id = (item.after?.id ?? item.id) as string;
      const type =
        item.op === 'create' ? 'record.created' : item.op === 'update' ? 'record.updated' : 'record.deleted';
      ctx.events.push({
        type,
        object: ctx.object.name,
        recordId: id,
        payload:
          item.op === 'update' ? { changed: Object.keys(item.values), version: item.after?.version } : {},
      });
    }
    if (!ctx.events.length) return;
    await ctx.trx
      .withSchema(ctx.schema)
      .table(OUTBOX)
      .insert(
        ctx.events.map((e) => ({
          type: e.type,
          object: e.object,
          record_id: e.recordId,
          actor: ctx.actor,
          payload: JSON.stringify(e.payload),
        })),
      );
  },
};
