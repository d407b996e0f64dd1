import type { FieldDef, FieldTypeName } from '../core/model.js';
import type { FieldType } from './field-type.js';
import { autoNumber, formula, rollup } from './types/computed.js';
import { integer, number, currency, percent } from './types/numeric.js';
import { multiPicklist, picklist } from './types/picklist.js';
import { lookup, masterDetail, user } from './types/relation.js';
import { boolean, date, datetime } from './types/scalar.js';
import { email, phone, richText, text, textarea, url } from './types/text.js';

/** The one registry of field types. Adding a type = one entry here + its definition file. */
export const FIELD_TYPES: Readonly<Record<FieldTypeName, FieldType>> = Object.freeze({
  text,
  textarea,
  rich_text: richText,
  integer,
  number,
  currency,
  percent,
  boolean,
  date,
  datetime,
  email,
  phone,
  url,
  picklist,
  multi_picklist: multiPicklist,
  lookup,
  master_detail: masterDetail,
  user,
  auto_number: autoNumber,
  formula,
  rollup,
});

export const FIELD_TYPE_NAMES = Object.keys(FIELD_TYPES) as FieldTypeName[];

export function fieldType(name: FieldTypeName): FieldType {
  const t = FIELD_TYPES[name];
  if (!t) throw new Error(`unknown field type ${name}`);
  return t;
}

/** The field with its type's defaults filled in. */
export function withDefaults(f: FieldDef): FieldDef {
  const d = fieldType(f.type).defaults;
  return d ? { ...d, ...f } : f;
}

/** Relations point at another object's record. */
export const isRelation = (f: FieldDef) => fieldType(f.type).storage(f).references !== undefined;
