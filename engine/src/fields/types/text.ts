import type { FieldDef } from '../../core/model.js';
import type { FieldType, FilterOp, JsonSchema } from '../field-type.js';

const TEXT_OPS: readonly FilterOp[] = ['eq', 'ne', 'in', 'nin', 'contains', 'startsWith', 'isNull'];
// Postgres text cannot hold U+0000: refuse it here rather than fail in the database.
const NO_NUL: JsonSchema = { pattern: '^[^\\u0000]*$' };
const maxLengthSetting = (max: number): JsonSchema => ({ type: 'integer', minimum: 1, maximum: max });

function textLike(
  name: 'text' | 'textarea' | 'rich_text' | 'email' | 'phone' | 'url',
  label: FieldType['label'],
  defaultMax: number,
  hardMax: number,
  extra: (f: FieldDef) => JsonSchema,
  widget: string,
): FieldType {
  return {
    name,
    label,
    settings: { maxLength: maxLengthSetting(hardMax) },
    defaults: { maxLength: defaultMax },
    storage: () => ({ pg: 'text' }),
    valueSchema: (f) => ({
      type: 'string',
      maxLength: f.maxLength ?? defaultMax,
      ...extra(f),
      allOf: [NO_NUL],
    }),
    operand: 'string',
    operators: name === 'rich_text' ? ['contains', 'isNull'] : TEXT_OPS,
    writable: true,
    sortable: name !== 'rich_text',
    groupable: name === 'text' || name === 'email' || name === 'phone',
    aggregates: [],
    widget,
  };
}

export const text = textLike('text', { en: 'Text', 'zh-CN': '文本' }, 255, 10_000, () => ({}), 'input');
export const textarea = textLike(
  'textarea',
  { en: 'Text area', 'zh-CN': '多行文本' },
  32_768,
  131_072,
  () => ({}),
  'textarea',
);
export const richText = textLike(
  'rich_text',
  { en: 'Rich text', 'zh-CN': '富文本' },
  131_072,
  1_048_576,
  () => ({}),
  'rich-text',
);
export const email = textLike(
  'email',
  { en: 'Email', 'zh-CN': '邮箱' },
  254,
  254,
  () => ({ format: 'email' }),
  'email',
);
// Phones in China and abroad: digits, spaces, +, -, parentheses and an optional extension.
export const phone = textLike(
  'phone',
  { en: 'Phone', 'zh-CN': '电话' },
  40,
  40,
  () => ({ pattern: '^[+]?[0-9 ()\\-]{3,30}([ ]?(ext|x|转)[ ]?[0-9]{1,6})?$' }),
  'phone',
);
export const url = textLike(
  'url',
  { en: 'URL', 'zh-CN': '网址' },
  2048,
  2048,
  () => ({ format: 'uri', pattern: '^https?://' }),
  'url',
);
