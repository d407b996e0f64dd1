import { DomainError } from '../../core/errors.js';
import { prepared } from '../../db/tenant-sessions.js';
import { isUuid } from '../read.js';
import type { RecordStep, WriteContext, WriteItem } from '../pipeline.js';

const CAN_EDIT = '_can_edit';

/**
 * Reads the stored rows of updates and deletes (locked FOR UPDATE inside a transaction; without
 * one, persist writes only if the version is unchanged) and checks, in that one query, the
 * caller's row access: a row they cannot see is 404 (no existence oracle), one they can see but
 * not edit is 403. Then versions (If-Match → 412).
 */
export const loadBefore: RecordStep = {
  name: 'load-before',
  needsTransaction: () => false,
  needsBefore: () => false,
  // Synchronous when there is nothing to read (creates, a blind update): nothing awaited.
  run(ctx) {
    const wanted = ctx.items.filter((i) => i.op !== 'create');
    if (wanted.length && !ctx.blind) return loadRows(ctx, wanted);
  },
};

async function loadRows(ctx: WriteContext, wanted: WriteItem[]) {
  const ids = wanted.map((i) => i.id!).filter(isUuid);
  const o = ctx.object;
  const q = ctx.trx.withSchema(ctx.schema).from(o.table).whereIn('id', ids).select('*');
  const restricted = ctx.access !== ctx.unrestricted;
  if (restricted) {
    ctx.access.scopeRead(q, o, (n) => `${o.table}.${n}`);
    const editable = ctx.trx
      .from(ctx.trx.raw('??.?? as ??', [ctx.schema, o.table, '_x']))
      .select(ctx.trx.raw('1'))
      .whereRaw('?? = ??', ['_x.id', `${o.table}.id`]);
    ctx.access.scopeEdit(editable, o, (n) => `_x.${n}`);
    q.select(ctx.trx.raw('exists (?) as ??', [editable, CAN_EDIT]));
  }
  if (ctx.locked) q.forUpdate();
  if (ids.length === 1) prepared(q);
  const rows = ids.length ? ((await q) as Record<string, unknown>[]) : [];
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  for (const item of wanted) {
    const row = byId.get(item.id!);
    if (!row)
      throw new DomainError(404, 'RECORD_NOT_FOUND', { object: ctx.object.def.label, id: item.id }, [], {
        index: item.index,
      });
    if (restricted) {
      if (!row[CAN_EDIT])
        throw new DomainError(403, 'NO_RECORD_ACCESS', { object: o.name, id: item.id }, [], {
          index: item.index,
        });
      delete row[CAN_EDIT];
    }
    if (item.expectedVersion !== undefined && item.expectedVersion !== row.version)
      throw new DomainError(412, 'VERSION_CONFLICT', { current: row.version }, [], {
        currentVersion: row.version,
        index: item.index,
      });
    item.before = row;
  }
}
