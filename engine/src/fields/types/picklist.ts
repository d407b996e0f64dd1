import type { FieldDef } from '../../core/model.js';
import type { FieldType, JsonSchema } from '../field-type.js';
import { i18nTextSchema } from '../i18n-schema.js';

const optionsSetting: JsonSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 500,
  items: {
    type: 'object',
    properties: {
      value: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,79}$' },
      label: i18nTextSchema,
      order: { type: 'integer' },
      active: { type: 'boolean' },
    },
    required: ['value', 'label'],
    additionalProperties: false,
  },
};

/** Dependent picklists: a controlling field's value → the options allowed here (checked by the rules layer). */
const dependentSettings: Record<string, JsonSchema> = {
  controllingField: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
  dependencies: {
    type: 'object',
    maxProperties: 500,
    additionalProperties: { type: 'array', maxItems: 500, items: { type: 'string' }, uniqueItems: true },
  },
};

/** Values a write may use: the active options. Stored values of retired options stay readable. */
export const activeValues = (f: FieldDef) =>
  (f.options ?? []).filter((o) => o.active !== false).map((o) => o.value);

function checkOptions(f: FieldDef) {
  const seen = new Set<string>();
  const issues = [];
  for (const [i, o] of (f.options ?? []).entries()) {
    if (seen.has(o.value))
      issues.push({
        pointer: `/options/${i}/value`,
        code: 'META_DUPLICATE_OPTION',
        params: { value: o.value },
      });
    seen.add(o.value);
  }
  return issues;
}

export const picklist: FieldType = {
  name: 'picklist',
  label: { en: 'Picklist', 'zh-CN': '单选' },
  settings: { options: optionsSetting, ...dependentSettings },
  requiredSettings: ['options'],
  storage: () => ({ pg: 'text' }),
  valueSchema: (f) => ({ type: 'string', enum: activeValues(f) }),
  operand: 'string',
  operators: ['eq', 'ne', 'in', 'nin', 'isNull'],
  writable: true,
  sortable: true,
  groupable: true,
  aggregates: [],
  check: checkOptions,
  widget: 'select',
};

export const multiPicklist: FieldType = {
  name: 'multi_picklist',
  label: { en: 'Multi-select picklist', 'zh-CN': '多选' },
  settings: { options: optionsSetting, ...dependentSettings },
  requiredSettings: ['options'],
  storage: () => ({ pg: 'text[]' }),
  valueSchema: (f) => ({
    type: 'array',
    items: { type: 'string', enum: activeValues(f) },
    uniqueItems: true,
    maxItems: 500,
  }),
  operand: 'string',
  operators: ['contains', 'containsAny', 'isNull'],
  writable: true,
  sortable: false,
  groupable: false,
  aggregates: [],
  check: checkOptions,
  widget: 'multi-select',
};
