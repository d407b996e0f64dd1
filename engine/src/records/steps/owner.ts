import { USERS } from '../../schema-sync/ddl.js';
import { isUuid } from '../read.js';
import type { PrepareContext, RecordStep, WriteContext, WriteItem } from '../pipeline.js';

const transfers = (ctx: PrepareContext) => ctx.items.some((i) => i.op === 'update' && 'owner' in i.input);

/**
 * Owner transfer: an update that names a new `owner` (authorize has checked the `transfer`
 * permission, load-before the row access). The new owner must be an active user of the tenant.
 * Row access follows the owner column, so the new owner reaches the record at once.
 */
export const ownerTransfer: RecordStep = {
  name: 'owner',
  // One lookup of the users, then the write: and field history records every transfer.
  needsTransaction: transfers,
  needsBefore: transfers,
  // Synchronous when no update names an owner (most writes): the pipeline then awaits nothing.
  run(ctx) {
    const items = ctx.items.filter((i) => i.op === 'update' && 'owner' in i.input);
    if (items.length) return checkOwners(ctx, items);
  },
};

/** Each named owner must be an active user of the tenant. */
async function checkOwners(ctx: WriteContext, items: WriteItem[]) {
  const wanted = [
    ...new Set(
      items
        .map((i) => i.input.owner)
        .filter((v): v is string => typeof v === 'string' && isUuid(v))
        .map((v) => v.toLowerCase()),
    ),
  ];
  const active = new Set(
    wanted.length
      ? (
          (await ctx.trx
            .withSchema(ctx.schema)
            .from(USERS)
            .whereIn('id', wanted)
            .where('active', true)
            .select('id')) as { id: string }[]
        ).map((r) => r.id)
      : [],
  );
  for (const item of items) {
    const raw = item.input.owner;
    const v = typeof raw === 'string' ? raw.toLowerCase() : raw;
    if (typeof v !== 'string' || !active.has(v)) {
      ctx.issues.push({
        pointer: `${item.pointer}/owner`,
        code: 'OWNER_NOT_A_USER',
        params: { value: typeof v === 'string' ? v.slice(0, 40) : JSON.stringify(v ?? null).slice(0, 40) },
      });
      continue;
    }
    item.values.owner = v;
  }
}
