import { OUTBOX } from '../../schema-sync/ddl.js';
import type { RecordStep } from '../pipeline.js';

/**
 * Events other steps raised (e.g. a duplicate saved with an override reason), in the write's
 * transaction; each record's own created/updated/deleted event is written by persist, in the same
 * statement as the row. Side effects leave after commit (records/outbox-dispatcher).
 */
export const outbox: RecordStep = {
  name: 'outbox',
  // The steps that raise events need a transaction themselves.
  needsTransaction: () => false,
  needsBefore: () => false,
  run(ctx) {
    if (!ctx.events.length) return;
    return ctx.trx
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
      )
      .then(() => undefined);
  },
};
