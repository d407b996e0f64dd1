import type { JsonSchema } from './field-type.js';

/** JSON Schema of a text in both product languages. */
export const i18nTextSchema: JsonSchema = {
  type: 'object',
  properties: {
    en: { type: 'string', minLength: 1, maxLength: 200 },
    'zh-CN': { type: 'string', minLength: 1, maxLength: 200 },
  },
  required: ['en', 'zh-CN'],
  additionalProperties: false,
};
