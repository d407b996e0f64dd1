import type { Lang, ObjectPermissions, PackageDef, RoleDef, SharingRuleDef } from '../api/types';
import { tr } from '../lib/labels';
import { PERMISSIONS, type FieldAccess } from './profiles/permissions';

type T = (key: string, params?: Record<string, unknown>) => string;

/**
 * What a security change does, in words: the plan of a roles, profiles or sharing deploy has no
 * DDL to show, so the admin reads this instead ("Sales Rep: may now read, create Gadgets").
 */
export function securityChanges(prev: PackageDef | null, next: PackageDef, t: T, lang: Lang): string[] {
  const out: string[] = [];
  const objLabel = (name: string) => {
    const o = next.objects.find((x) => x.name === name) ?? prev?.objects.find((x) => x.name === name);
    return tr(o?.pluralLabel, lang, name);
  };
  const fieldLabel = (object: string, field: string) => {
    const o = next.objects.find((x) => x.name === object) ?? prev?.objects.find((x) => x.name === object);
    return tr(o?.fields.find((f) => f.name === field)?.label, lang, field);
  };
  const roleLabel = (name: string | undefined) => {
    if (name === undefined) return t('admin.roles.top');
    const r = next.roles?.find((x) => x.name === name) ?? prev?.roles?.find((x) => x.name === name);
    return tr(r?.label, lang, name);
  };
  const perms = (list: string[]) => list.map((k) => t(`admin.perm.${k}`)).join(t('admin.listSep'));

  // Roles
  const before = new Map((prev?.roles ?? []).map((r) => [r.name, r]));
  const after = new Map((next.roles ?? []).map((r) => [r.name, r]));
  for (const r of next.roles ?? []) {
    const was: RoleDef | undefined = before.get(r.name);
    if (!was)
      out.push(t('admin.changes.roleAdded', { role: roleLabel(r.name), parent: roleLabel(r.parent) }));
    else {
      if (was.parent !== r.parent)
        out.push(t('admin.changes.roleMoved', { role: roleLabel(r.name), parent: roleLabel(r.parent) }));
      if (JSON.stringify(was.label) !== JSON.stringify(r.label))
        out.push(
          t('admin.changes.roleRenamed', { from: tr(was.label, lang, r.name), role: roleLabel(r.name) }),
        );
    }
  }
  for (const r of prev?.roles ?? [])
    if (!after.has(r.name)) out.push(t('admin.changes.roleRemoved', { role: tr(r.label, lang, r.name) }));

  // Profiles
  const profilesBefore = new Map((prev?.profiles ?? []).map((p) => [p.name, p]));
  for (const p of next.profiles ?? []) {
    const name = tr(p.label, lang, p.name);
    const was = profilesBefore.get(p.name);
    if (!was) out.push(t('admin.changes.profileAdded', { profile: name }));
    else if (JSON.stringify(was.label) !== JSON.stringify(p.label))
      out.push(t('admin.changes.profileRenamed', { from: tr(was.label, lang, p.name), profile: name }));
    const objects = new Set([...Object.keys(was?.objects ?? {}), ...Object.keys(p.objects)]);
    for (const o of objects) {
      const a: ObjectPermissions = was?.objects[o] ?? {};
      const b: ObjectPermissions = p.objects[o] ?? {};
      const granted = PERMISSIONS.filter((k) => b[k] && !a[k]);
      const revoked = PERMISSIONS.filter((k) => a[k] && !b[k]);
      if (granted.length)
        out.push(t('admin.changes.granted', { profile: name, object: objLabel(o), perms: perms(granted) }));
      if (revoked.length)
        out.push(t('admin.changes.revoked', { profile: name, object: objLabel(o), perms: perms(revoked) }));
    }
    const fieldObjects = new Set([...Object.keys(was?.fields ?? {}), ...Object.keys(p.fields ?? {})]);
    for (const o of fieldObjects) {
      const a = was?.fields?.[o] ?? {};
      const b = p.fields?.[o] ?? {};
      for (const f of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const from: FieldAccess = a[f] ?? 'edit';
        const to: FieldAccess = b[f] ?? 'edit';
        if (from !== to)
          out.push(
            t('admin.changes.field', {
              profile: name,
              object: objLabel(o),
              field: fieldLabel(o, f),
              access: t(`admin.fls.${to}`),
            }),
          );
      }
    }
  }
  for (const p of prev?.profiles ?? [])
    if (!(next.profiles ?? []).some((x) => x.name === p.name))
      out.push(t('admin.changes.profileRemoved', { profile: tr(p.label, lang, p.name) }));

  // Sharing
  for (const o of next.objects) {
    const was = prev?.objects.find((x) => x.name === o.name);
    if (!was) continue; // a new object: its plan says so
    const from = was.sharing?.default ?? 'private';
    const to = o.sharing?.default ?? 'private';
    if (from !== to)
      out.push(t('admin.changes.owd', { object: objLabel(o.name), access: t(`admin.owd.${to}`) }));
    const rulesBefore = new Map((was.sharing?.rules ?? []).map((r) => [r.name, r]));
    const ruleName = (r: SharingRuleDef) => tr(r.label, lang, r.name);
    for (const r of o.sharing?.rules ?? []) {
      const a = rulesBefore.get(r.name);
      if (!a) out.push(t('admin.changes.ruleAdded', { object: objLabel(o.name), rule: ruleName(r) }));
      else if (JSON.stringify(a) !== JSON.stringify(r))
        out.push(t('admin.changes.ruleChanged', { object: objLabel(o.name), rule: ruleName(r) }));
    }
    for (const r of was.sharing?.rules ?? [])
      if (!(o.sharing?.rules ?? []).some((x) => x.name === r.name))
        out.push(t('admin.changes.ruleRemoved', { object: objLabel(o.name), rule: ruleName(r) }));
  }
  return out;
}
