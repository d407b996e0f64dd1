import type { FieldDef, ObjectAccess, ObjectDef, VisibleField, VisibleObject } from '../api/types';
import { isRelationField, isWritable } from './objects';

const ALL: ObjectAccess = { create: true, read: true, edit: true, delete: true, transfer: true };
const NONE: ObjectAccess = { create: false, read: false, edit: false, delete: false, transfer: false };

/**
 * What the user may do with an object's records, as GET /meta/objects tells. A definition
 * without permissions (the admin's package, a test fixture) allows everything; no object, nothing.
 */
export function permissionsOf(o: ObjectDef | VisibleObject | undefined | null): ObjectAccess {
  if (!o) return NONE;
  return (o as Partial<VisibleObject>).permissions ?? ALL;
}

/** Whether the user may set this field: a writable type their profile lets them edit. */
export const canEditField = (f: FieldDef | VisibleField) =>
  isWritable(f) && ((f as Partial<VisibleField>).access?.edit ?? true);

/** The system fields that name a person are user fields, like the ones an admin adds. */
const userField = (name: string, en: string, zh: string): FieldDef => ({
  name,
  label: { en, 'zh-CN': zh },
  type: 'user',
});

/** System fields every record has that name a user, shown by the user's name. */
export const OWNER_FIELD = userField('owner', 'Owner', '负责人');
export const CREATED_BY_FIELD = userField('created_by', 'Created by', '创建人');
export const UPDATED_BY_FIELD = userField('updated_by', 'Updated by', '最后修改人');

/** Fields whose value is a user id, shown by the user's name (owner, and fields of type user). */
export const isUserField = (f: FieldDef) => f.type === 'user';

/** Fields a list can show, filter and name: the object's own, then the owner. */
export const listFields = (o: ObjectDef): FieldDef[] => [...o.fields, OWNER_FIELD];

/**
 * Lookups worth expanding among `names`: relations to an object the user may read (expanding
 * any other is refused by the engine). User fields are named through the users store instead.
 */
export function expandable(
  o: ObjectDef,
  names: readonly string[],
  visible: (object: string) => unknown,
): string[] {
  return names.filter((n) => {
    const f = o.fields.find((x) => x.name === n);
    return !!f && isRelationField(f) && !!f.target && !!visible(f.target);
  });
}
