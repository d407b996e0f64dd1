import type { FieldIssue } from '../../core/errors.js';
import type { CompiledField } from '../../metadata/compile.js';
import { prepared } from '../../db/tenant-sessions.js';
import { isUuid } from '../read.js';
import { WriteConflict, type RecordStep, type WriteContext, type WriteItem } from '../pipeline.js';
import { perObject } from '../../metadata/per-object.js';

interface Link {
  item: WriteItem;
  field: string;
  id: string;
}

/**
 * A lookup is a way to read the record it points at: formulas, defaults and rules copy its data.
 * So writing one needs read access to that record. A target the writer cannot read is refused
 * exactly like one that does not exist (422, LOOKUP_NOT_FOUND at the field): both come from this
 * one query, so the answer is no existence oracle. Runs after validation (ids are well formed)
 * and before the rule steps, which therefore never evaluate a record the writer may not read.
 *
 * Only links the writer makes are checked: a lookup an update sends back unchanged was set by
 * someone else and stays; a field's static default is the administrator's choice. A blind update
 * (no stored row) checks every lookup it sends, and when one fails runs again with the stored row,
 * which then tells an unchanged link from a new one.
 */
export const lookupAccess: RecordStep = {
  name: 'lookup-access',
  needsTransaction: () => false,
  needsBefore: () => false,
  // Synchronous when no link needs a look (most writes): the pipeline then awaits nothing.
  run(ctx) {
    if (ctx.access === ctx.unrestricted) return;
    // Lookups whose target the caller reads entirely need no look: nothing is hidden, and the
    // foreign key answers for missing ids. Decided once per write, not once per record.
    const hiding = lookupsOf(ctx.object).filter(
      (l) => !ctx.access.readsAll(ctx.model.objects.get(l.target)!),
    );
    if (!hiding.length) return;
    const byTarget = new Map<string, Link[]>();
    for (const item of ctx.items) {
      if (item.op === 'delete') continue;
      for (const { field: f, target } of hiding) {
        const value = item.values[f.name];
        if (typeof value !== 'string' || !isUuid(value)) continue;
        if (item.op === 'create' ? value === f.def.default : item.before?.[f.column] === value) continue;
        const links = byTarget.get(target) ?? [];
        links.push({ item, field: f.name, id: value });
        byTarget.set(target, links);
      }
    }
    if (byTarget.size) return checkLinks(ctx, byTarget);
  },
};

/** An object's lookup fields and their targets, found once per compiled object (metadata version). */
const lookupsOf = perObject((o): { field: CompiledField; target: string }[] =>
  o.fieldList.flatMap((field) => {
    const target = field.storage.references?.object;
    return target ? [{ field, target }] : [];
  }),
);

/** Each link one of the caller's reads must find; a blind update that fails one runs again. */
async function checkLinks(ctx: WriteContext, byTarget: Map<string, Link[]>) {
  const issues: FieldIssue[] = [];
  for (const [target, links] of byTarget) {
    const seen = await readableIds(ctx, target, [...new Set(links.map((x) => x.id))]);
    for (const x of links)
      if (!seen.has(x.id))
        issues.push({
          pointer: `${x.item.pointer}/${x.field}`,
          code: 'LOOKUP_NOT_FOUND',
          params: { target, id: x.id },
        });
  }
  if (issues.length && ctx.blind) throw new WriteConflict();
  ctx.issues.push(...issues);
}

/** Those of `ids` the caller may read in `target` (missing ones are simply absent). */
async function readableIds(ctx: WriteContext, target: string, ids: string[]): Promise<Set<string>> {
  const o = ctx.model.objects.get(target)!;
  if (!ctx.access.can(o, 'read')) return new Set();
  const q = ctx.trx.withSchema(ctx.schema).from(o.table).whereIn('id', ids).select('id');
  ctx.access.scopeRead(q, o, (n) => `${o.table}.${n}`);
  if (ids.length === 1) prepared(q);
  return new Set(((await q) as { id: string }[]).map((r) => r.id));
}
