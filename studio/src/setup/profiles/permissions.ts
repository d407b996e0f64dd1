import type { ObjectPermissions, ProfileDef } from '../../api/types';

/** The object permissions a profile grants, in the order the matrix shows them. */
export const PERMISSIONS = ['read', 'create', 'edit', 'delete', 'viewAll', 'modifyAll', 'transfer'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What turning a permission on brings with it (you cannot edit what you cannot read…). */
const IMPLIES: Record<Permission, Permission[]> = {
  read: [],
  create: ['read'],
  edit: ['read'],
  delete: ['read'],
  viewAll: ['read'],
  modifyAll: ['read', 'edit', 'delete', 'viewAll'],
  transfer: ['read', 'edit'],
};

/** Turns a permission on or off with what it implies (on) or what depends on it (off). */
export function setPermission(p: ObjectPermissions, key: Permission, on: boolean): ObjectPermissions {
  const next: ObjectPermissions = { ...p };
  if (on) for (const k of [key, ...IMPLIES[key]]) next[k] = true;
  else {
    // Off: and everything that needs it.
    const off = new Set<Permission>([key]);
    for (let grew = true; grew;) {
      grew = false;
      for (const k of PERMISSIONS)
        if (!off.has(k) && IMPLIES[k].some((x) => off.has(x))) {
          off.add(k);
          grew = true;
        }
    }
    for (const k of off) delete next[k];
  }
  // Only what is granted is written: `false` and absent mean the same to the engine.
  for (const k of PERMISSIONS) if (!next[k]) delete next[k];
  return next;
}

/** A profile with one object's permissions replaced (none left: the object is dropped from it). */
export function withObjectPermissions(
  profile: ProfileDef,
  object: string,
  perms: ObjectPermissions,
): ProfileDef {
  const objects = { ...profile.objects };
  if (PERMISSIONS.some((k) => perms[k])) objects[object] = perms;
  else delete objects[object];
  return { ...profile, objects };
}

export type FieldAccess = 'none' | 'read' | 'edit';

/** A field's access in a profile: not listed = editable (as the engine reads it). */
export const fieldAccess = (profile: ProfileDef, object: string, field: string): FieldAccess =>
  profile.fields?.[object]?.[field] ?? 'edit';

/** A profile with one field's access set; `edit` is the default, so it is stored by leaving it out. */
export function withFieldAccess(
  profile: ProfileDef,
  object: string,
  field: string,
  access: FieldAccess,
): ProfileDef {
  const perObject = { ...(profile.fields?.[object] ?? {}) };
  if (access === 'edit') delete perObject[field];
  else perObject[field] = access;
  const fields = { ...(profile.fields ?? {}) };
  if (Object.keys(perObject).length) fields[object] = perObject;
  else delete fields[object];
  const next: ProfileDef = { ...profile, fields };
  if (!Object.keys(fields).length) delete next.fields;
  return next;
}

/** The access a new object gets in each profile when its creator ticks a column. */
export const ACCESS_LEVELS = ['none', 'read', 'edit', 'full'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];
export const LEVEL_PERMISSIONS: Record<AccessLevel, ObjectPermissions> = {
  none: {},
  read: { read: true },
  edit: { read: true, create: true, edit: true },
  full: { read: true, create: true, edit: true, delete: true },
};

/** The level a profile's permissions correspond to (custom when they match none of them). */
export function levelOf(p: ObjectPermissions | undefined): AccessLevel | 'custom' {
  const granted = PERMISSIONS.filter((k) => p?.[k]).join(',');
  for (const l of ACCESS_LEVELS)
    if (PERMISSIONS.filter((k) => LEVEL_PERMISSIONS[l][k]).join(',') === granted) return l;
  return 'custom';
}

/** The level of the basic permissions (read, create, edit, delete), the extras set aside. */
export function baseLevelOf(p: ObjectPermissions | undefined): AccessLevel | 'custom' {
  const base: ObjectPermissions = {};
  for (const k of ['read', 'create', 'edit', 'delete'] as const) if (p?.[k]) base[k] = true;
  return levelOf(base);
}
