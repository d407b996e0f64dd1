import { text as msg } from '../core/messages.js';
import { badRequest } from '../core/errors.js';
import type { Catalog, Queryable } from './catalog.js';

export interface SortKey {
  q: Queryable;
  desc: boolean;
}

export const MAX_SORT_KEYS = 5;

/** `sort=-close_date,name` → checked keys. The id is always the last, unique tie-breaker. */
export function parseSort(sort: string | undefined, cat: Catalog): SortKey[] {
  const keys: SortKey[] = [];
  for (const raw of (sort ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const descending = raw.startsWith('-');
    const name = descending ? raw.slice(1) : raw;
    const found = cat.all.get(name);
    if (!found)
      throw badRequest('BAD_SORT', { field: name, reason: msg('R_UNKNOWN_FIELD', { field: name }) });
    // days in stage sorts by the entry time, the other way round (an index on it serves both)
    const q = found.sortAs ? cat.all.get(found.sortAs.name)! : found;
    const desc = found.sortAs?.reverse ? !descending : descending;
    if (!q.sortable) throw badRequest('BAD_SORT', { field: name, reason: msg('R_NOT_SORTABLE') });
    if (keys.some((k) => k.q.name === q.name))
      throw badRequest('BAD_SORT', { field: name, reason: msg('R_LISTED_TWICE') });
    if (q.name !== 'id') keys.push({ q, desc });
  }
  if (keys.length > MAX_SORT_KEYS)
    throw badRequest('BAD_SORT', {
      field: sort ?? '',
      reason: msg('R_TOO_MANY_SORT_KEYS', { max: MAX_SORT_KEYS }),
    });
  return keys;
}
