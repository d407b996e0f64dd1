import type { FieldDef, ObjectDef, PackageDef } from '../../engine/src/core/model.js';

export const l = (en: string, zh = en) => ({ en, 'zh-CN': zh });

export function field(name: string, type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef {
  return { name, label: l(name), type, ...extra };
}

export function object(name: string, fields: FieldDef[], extra: Partial<ObjectDef> = {}): ObjectDef {
  return { name, label: l(name), pluralLabel: l(name + 's'), fields, ...extra };
}

export const opts = (...values: string[]) =>
  values.map((value, order) => ({ value, label: l(value), order }));

/** A small sales package: fast to deploy, covers lookups, picklists and numbers. */
export function salesPackage(): PackageDef {
  return {
    name: 'test-sales',
    objects: [
      object('account', [
        field('name', 'text', { required: true }),
        field('industry', 'picklist', { options: opts('it', 'energy', 'retail') }),
        field('region', 'picklist', { options: opts('east', 'north', 'south') }),
      ]),
      object(
        'opportunity',
        [
          field('name', 'text', { required: true, maxLength: 120 }),
          field('amount', 'currency', { precision: 14, scale: 2 }),
          field('stage', 'picklist', {
            options: opts('prospecting', 'qualification', 'negotiation', 'closed_won', 'closed_lost'),
          }),
          field('close_date', 'date'),
          field('probability', 'percent', { min: 0, max: 100 }),
          field('account', 'lookup', { target: 'account' }),
          field('is_won', 'boolean'),
          field('description', 'textarea'),
        ],
        { indexes: [{ fields: ['stage'] }, { fields: ['close_date'] }] },
      ),
    ],
  };
}
