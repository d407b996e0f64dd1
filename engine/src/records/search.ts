import { badRequest } from '../core/errors.js';
import type { JsonValue } from '../core/model.js';
import type { CompiledObject } from '../metadata/compile.js';
import { SEARCHABLE, listRecords, type ReadScope } from './read.js';

export const SEARCH_MAX_OBJECTS = 50;
export const SEARCH_MAX_PER_OBJECT = 20;

export interface SearchGroup {
  object: string;
  records: { id: string; name: string | null }[];
  /** More matches than shown: the object's own list (`search=`) has them. */
  more: boolean;
}

/**
 * The global search: every object the caller may read that has a readable text-like field, the
 * same `search=` match as a list, a few records each named by their name field (when readable).
 * Objects and fields the caller may not read are never searched, so a result is no oracle.
 */
export async function searchObjects(s: ReadScope, text: string, per: number): Promise<SearchGroup[]> {
  const q = text.trim();
  if (!q || q.length > 100 || q.includes('\u0000')) throw badRequest('SEARCH_TEXT', { max: 100 });
  const out: SearchGroup[] = [];
  const searchable = [...s.model.objects.values()].filter(
    (o) => s.access.can(o, 'read') && readableText(s, o).length > 0,
  );
  for (const o of searchable.slice(0, SEARCH_MAX_OBJECTS)) {
    const readable = s.access.readable(o);
    const name = o.nameField && readable.has(o.nameField) ? o.nameField : null;
    const page = await listRecords(s, o, {
      search: q,
      limit: per,
      fields: name ? ['id', name] : ['id'],
    });
    if (!page.data.length) continue;
    out.push({
      object: o.name,
      records: page.data.map((r: Record<string, JsonValue>) => ({
        id: String(r.id),
        name: name && r[name] !== null && r[name] !== undefined ? String(r[name]) : null,
      })),
      more: page.meta.has_more,
    });
  }
  return out;
}

const readableText = (s: ReadScope, o: CompiledObject) => {
  const readable = s.access.readable(o);
  return o.fieldList.filter((f) => SEARCHABLE.has(f.def.type) && readable.has(f.name));
};
