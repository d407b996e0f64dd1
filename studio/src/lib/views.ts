import type { FilterValue } from './filters';

/** A saved list view: columns, filters, sort and search. Kept in localStorage per tenant and object. */
export interface SavedView {
  name: string;
  columns: string[];
  filters: Record<string, FilterValue>;
  filterFields: string[];
  sort: string;
  search: string;
  /** Table or kanban (objects with a pipeline); absent: table. */
  mode?: 'table' | 'kanban';
}

const key = (tenant: string, object: string) => `tessera.views.${tenant}.${object}`;

export function loadViews(tenant: string, object: string): SavedView[] {
  try {
    const raw = localStorage.getItem(key(tenant, object));
    return raw ? (JSON.parse(raw) as SavedView[]) : [];
  } catch {
    return [];
  }
}

export function saveViews(tenant: string, object: string, views: SavedView[]) {
  localStorage.setItem(key(tenant, object), JSON.stringify(views));
}

export function upsertView(tenant: string, object: string, view: SavedView): SavedView[] {
  const views = loadViews(tenant, object).filter((v) => v.name !== view.name);
  views.push(view);
  saveViews(tenant, object, views);
  return views;
}

export function deleteView(tenant: string, object: string, name: string): SavedView[] {
  const views = loadViews(tenant, object).filter((v) => v.name !== name);
  saveViews(tenant, object, views);
  return views;
}
