import { DomainError } from '../../core/errors.js';
import { prepared } from '../../db/tenant-sessions.js';
import { isUuid } from '../read.js';
import type { RecordStep } from '../pipeline.js';

/**
 * Reads the stored rows of updates and deletes (locked FOR UPDATE inside a transaction; without
 * one, persist writes only if the version is unchanged), and checks their versions (If-Match → 412).
 */
export const loadBefore: RecordStep = {
  name: 'load-before',
  needsTransaction: () => false,
  async run(ctx) {
    const wanted = ctx.items.filter((i) => i.op !== 'create');
    if (!wanted.length) return;
    const ids = wanted.map((i) => i.id!).filter(isUuid);
    const q = ctx.trx.withSchema(ctx.schema).from(ctx.object.table).whereIn('id', ids).select('*');
    if (ctx.locked) q.forUpdate();
    if (ids.length === 1) prepared(q);
    const rows = ids.length ? ((await q) as Record<string, unknown>[]) : [];
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
