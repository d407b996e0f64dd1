import standardIndex from '../../../metadata/standard/index.json';
import { FIELD_TYPES } from '../../../engine/src/fields/registry';
import type { FieldDef, ObjectDef, PackageDef } from '../api/types';

const STANDARD = new Set<string>(standardIndex.objects);
export const isStandard = (o: ObjectDef) => STANDARD.has(o.name);

const NAME_TYPES = new Set(['text', 'email', 'phone', 'auto_number']);

/** The field that names a record in lists, lookups and titles. */
export function nameFieldOf(o: ObjectDef): FieldDef | undefined {
  return (
    o.fields.find((f) => f.name === o.nameField) ??
    o.fields.find((f) => NAME_TYPES.has(f.type)) ??
    o.fields[0]
  );
}

export const isRelationField = (f: FieldDef) => f.type === 'lookup' || f.type === 'master_detail';
export const isWritable = (f: FieldDef) => FIELD_TYPES[f.type]?.writable ?? false;
export const isSortable = (f: FieldDef) => FIELD_TYPES[f.type]?.sortable ?? false;

/** Children: fields of any object that look up to `target` (related lists on the record page). */
export function childRelations(
  pkg: PackageDef | null,
  target: string,
): { object: ObjectDef; field: FieldDef }[] {
  const out: { object: ObjectDef; field: FieldDef }[] = [];
  for (const o of pkg?.objects ?? [])
    for (const f of o.fields)
      if (isRelationField(f) && f.target === target) out.push({ object: o, field: f });
  return out;
}

/** A record's display name: its name field, else its id. */
export function recordName(o: ObjectDef | undefined, r: Record<string, unknown> | null | undefined): string {
  if (!r) return '';
  const nf = o ? nameFieldOf(o) : undefined;
  const v = nf ? r[nf.name] : undefined;
  return v === undefined || v === null || v === '' ? String(r.id ?? '') : String(v);
}
