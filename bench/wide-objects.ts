import type { FieldDef, ObjectDef, PackageDef } from '../engine/src/core/model.js';
import { field, object } from './package.js';

/** Picklist options v0…v(n-1). */
export const opts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    value: `v${i}`,
    label: { en: `V${i}`, 'zh-CN': `V${i}` },
    order: i,
  }));

/** A typical custom object: `n` fields over the common types, one lookup to obj_1 (when not obj_1). */
export function wideObject(name: string, n: number, lookup: string | null): ObjectDef {
  const kinds: ((i: number) => FieldDef)[] = [
    (i) => field(`f${i}_text`, 'text', { maxLength: 200 }),
    (i) => field(`f${i}_num`, 'number', { precision: 12, scale: 2 }),
    (i) => field(`f${i}_pick`, 'picklist', { options: opts(5) }),
    (i) => field(`f${i}_date`, 'date'),
    (i) => field(`f${i}_bool`, 'boolean'),
    (i) => field(`f${i}_int`, 'integer', { min: 0, max: 1_000_000 }),
  ];
  const fields = [field('name', 'text', { required: true, maxLength: 120 })];
  for (let i = 1; fields.length < n; i++) fields.push(kinds[i % kinds.length](i));
  if (lookup) fields.push(field('parent', 'lookup', { target: lookup }));
  return object(name, fields);
}
export const manyObjects = (count: number, fields: number): PackageDef => ({
  name: `bench-${count}-objects`,
  objects: Array.from({ length: count }, (_, i) => wideObject(`obj_${i + 1}`, fields, i ? 'obj_1' : null)),
});
