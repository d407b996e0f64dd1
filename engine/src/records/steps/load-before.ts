import { DomainError } from '../../core/errors.js';
import { isUuid } from '../read.js';
import type { RecordStep } from '../pipeline.js';

/** Locks the stored rows of updates and deletes, and checks their versions (If-Match → 412). */
export const loadBefore: RecordStep = {
  name: 'load-before',
  async run(ctx) {
    const wanted = ctx.items.filter((i) => i.op !== 'create');
    if (!wanted.length) return;
    const ids = wanted.map((i) => i.id!).filter(isUuid);
    const rows = ids.length
      ? ((await ctx.trx
          .withSchema(ctx.schema)
          .from(ctx.object.table)
          .whereIn('id', ids)
          .forUpdate()
          .select('*')) as Record<string, unknown>[])
      : [];
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    for (const item of wanted) {
      const row = byId.get(item.id!);
      if (!row)
        throw new DomainError(404, 'RECORD_NOT_FOUND', { object: ctx.object.name, id: item.id }, [], {
          index: item.index,
        });
      if (item.expectedVersion !== undefined && item.expectedVersion !== row.version)
        throw new DomainError(412, 'VERSION_CONFLICT', { current: row.version }, [], {
          currentVersion: row.version,
          index: item.index,
        });
      item.before = row;
    }
  },
};
