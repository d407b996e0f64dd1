import type { Component } from 'vue';
import { FIELD_TYPES } from '../../../engine/src/fields/registry';
import type { FieldDef } from '../api/types';
import DatetimeWidget from './DatetimeWidget.vue';
import DateWidget from './DateWidget.vue';
import DecimalWidget from './DecimalWidget.vue';
import InputWidget from './InputWidget.vue';
import LookupWidget from './LookupWidget.vue';
import MultiSelectWidget from './MultiSelectWidget.vue';
import NumberWidget from './NumberWidget.vue';
import ReadonlyWidget from './ReadonlyWidget.vue';
import SelectWidget from './SelectWidget.vue';
import SwitchWidget from './SwitchWidget.vue';
import TextareaWidget from './TextareaWidget.vue';
import UserLookupWidget from './UserLookupWidget.vue';

/**
 * Field widgets keyed by widget id. The engine's field type registry names each type's default
 * widget (FieldType.widget); a new type either reuses one of these ids or adds one entry here.
 */
export const WIDGETS: Record<string, Component> = {
  input: InputWidget,
  textarea: TextareaWidget,
  number: NumberWidget,
  // One component; the widget id gives the unit (the currency code before, % after).
  currency: DecimalWidget,
  percent: DecimalWidget,
  switch: SwitchWidget,
  date: DateWidget,
  datetime: DatetimeWidget,
  select: SelectWidget,
  'multi-select': MultiSelectWidget,
  lookup: LookupWidget,
  // A person of the tenant (user fields, the owner): searches names through /users/lookup.
  user: UserLookupWidget,
  readonly: ReadonlyWidget,
};

/** Widget ids the engine names that share a component with another id. */
const ALIASES: Record<string, string> = {
  email: 'input',
  phone: 'input',
  url: 'input',
  integer: 'number',
  'rich-text': 'textarea',
};

export function widgetIdFor(f: FieldDef): string {
  const t = FIELD_TYPES[f.type];
  if (!t || !t.writable) return 'readonly';
  return ALIASES[t.widget] ?? (t.widget in WIDGETS ? t.widget : 'input');
}

export function widgetFor(f: FieldDef): Component {
  return WIDGETS[widgetIdFor(f)];
}
