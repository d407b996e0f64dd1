import approvalFlowSchema from '../../../metadata/schema/approval-flow.schema.json' with { type: 'json' };
import fieldSchema from '../../../metadata/schema/field.schema.json' with { type: 'json' };
import i18nSchema from '../../../metadata/schema/i18n-text.schema.json' with { type: 'json' };
import layoutSchema from '../../../metadata/schema/layout.schema.json' with { type: 'json' };
import objectSchema from '../../../metadata/schema/object.schema.json' with { type: 'json' };
import packageSchema from '../../../metadata/schema/package.schema.json' with { type: 'json' };
import { compileLazily, createAjv, type ValidateFunction } from '../core/ajv.js';
import type { FieldTypeName } from '../core/model.js';
import { FIELD_TYPE_NAMES, fieldType } from '../fields/registry.js';

/** The meta-model's JSON Schemas (metadata/schema/), compiled once, on first use. */
let shared: ReturnType<typeof createAjv> | undefined;
const ajv = () => {
  if (!shared) {
    shared = createAjv();
    shared.addSchema(i18nSchema);
    shared.addSchema(layoutSchema);
    shared.addSchema(objectSchema);
    shared.addSchema(fieldSchema);
    shared.addSchema(approvalFlowSchema);
  }
  return shared;
};

export const validatePackageShape: ValidateFunction = compileLazily(ajv, packageSchema);

/** Per field type: the common field properties plus that type's own settings, nothing else. */
const fieldValidators = new Map<FieldTypeName, ValidateFunction>(
  FIELD_TYPE_NAMES.map((name) => [name, compileLazily(ajv, fieldDefinitionSchema(name))]),
);

export const validateFieldShape = (type: FieldTypeName) => fieldValidators.get(type);
export const validateCommonFieldShape: ValidateFunction = compileLazily(ajv, fieldSchema);

/** Complete JSON Schema of one field type's definition, for docs and the studio. */
export function fieldDefinitionSchema(type: FieldTypeName) {
  const t = fieldType(type);
  return {
    type: 'object',
    properties: { ...fieldSchema.properties, ...t.settings },
    required: [...fieldSchema.required, ...(t.requiredSettings ?? [])],
    additionalProperties: false,
  };
}
