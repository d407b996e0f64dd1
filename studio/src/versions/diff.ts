import type { Lang, ObjectDef, PackageDef } from '../api/types';
import { tr } from '../lib/labels';
import { securityChanges } from '../setup/changes';

type T = (key: string, params?: Record<string, unknown>) => string;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
/** An object's settings other than its fields, layout and sharing (those are told apart). */
const rest = (o: ObjectDef) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !['fields', 'layout', 'sharing', 'id'].includes(k)));

/**
 * What one version changed against the one before, in words: objects and fields added, removed
 * or changed, layouts, then who gains or loses what (roles, profiles, sharing).
 */
export function versionChanges(prev: PackageDef | null, next: PackageDef, t: T, lang: Lang): string[] {
  const out: string[] = [];
  const label = (o: ObjectDef) => tr(o.label, lang, o.name);
  const before = new Map((prev?.objects ?? []).map((o) => [o.id ?? o.name, o]));
  const after = new Map(next.objects.map((o) => [o.id ?? o.name, o]));
  for (const [key, o] of after) {
    const was = before.get(key);
    if (!was) {
      out.push(t('admin.versions.objectAdded', { object: label(o), n: o.fields.length }));
      continue;
    }
    if (was.name !== o.name)
      out.push(t('admin.versions.objectRenamed', { object: label(o), from: was.name, to: o.name }));
    const wasFields = new Map(was.fields.map((f) => [f.id ?? f.name, f]));
    for (const f of o.fields) {
      const old = wasFields.get(f.id ?? f.name);
      const field = tr(f.label, lang, f.name);
      if (!old) out.push(t('admin.versions.fieldAdded', { object: label(o), field }));
      else if (!same(old, f)) out.push(t('admin.versions.fieldChanged', { object: label(o), field }));
    }
    const nowFields = new Set(o.fields.map((f) => f.id ?? f.name));
    for (const [k, f] of wasFields)
      if (!nowFields.has(k))
        out.push(t('admin.versions.fieldRemoved', { object: label(o), field: tr(f.label, lang, f.name) }));
    if (!same(was.layout, o.layout)) out.push(t('admin.versions.layoutChanged', { object: label(o) }));
    if (!same(rest(was), rest(o))) out.push(t('admin.versions.objectChanged', { object: label(o) }));
  }
  for (const [key, o] of before)
    if (!after.has(key)) out.push(t('admin.versions.objectRemoved', { object: label(o) }));
  return [...out, ...securityChanges(prev, next, t, lang)];
}
