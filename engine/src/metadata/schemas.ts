import approvalFlowSchema from '../../../metadata/schema/approval-flow.schema.json' with { type: 'json' };
import fieldSchema from '../../../metadata/schema/field.schema.json' with { type: 'json' };
import i18nSchema from '../../../metadata/schema/i18n-text.schema.json' with { type: 'json' };
import layoutSchema from '../../../metadata/schema/layout.schema.json' with { type: 'json' };
import objectSchema from '../../../metadata/schema/object.schema.json' with { type: 'json' };
import packageSchema from '../../../metadata/schema/package.schema.json' with { type: 'json' };
import { createAjv, type Ajv2020, type ValidateFunction } from '../core/ajv.js';
import type { FieldTypeName } from '../core/model.js';
import { FIELD_TYPE_NAMES, fieldType } from '../fields/registry.js';

/**
 * The meta-model's JSON Schemas (metadata/schema/), compiled on first use and then kept: compiling
 * them at import time was a large part of the process's cold start (docs/performance.md).
 */
let ajv: Ajv2020 | undefined;
function metaAjv(): Ajv2020 {
  if (!ajv) {
    ajv = createAjv();
    ajv.addSchema(i18nSchema);
    ajv.addSchema(layoutSchema);
    ajv.addSchema(objectSchema);
    ajv.addSchema(fieldSchema);
    ajv.addSchema(approvalFlowSchema);
  }
  return ajv;
}

let packageValidator: ValidateFunction | undefined;
/** The package document's shape validator (compiled once, on the first call). */
export function validatePackageShape(): ValidateFunction {
  return (packageValidator ??= metaAjv().compile(packageSchema));
}

/** Per field type: the common field properties plus that type's own settings, nothing else. */
const fieldValidators = new Map<FieldTypeName, ValidateFunction>();
/** That field type's definition validator (compiled once, on first use), or undefined for an unknown type. */
export function validateFieldShape(type: FieldTypeName): ValidateFunction | undefined {
  let v = fieldValidators.get(type);
  if (!v && (FIELD_TYPE_NAMES as readonly string[]).includes(type)) {
    v = metaAjv().compile(fieldDefinitionSchema(type));
    fieldValidators.set(type, v);
  }
  return v;
}

let commonFieldValidator: ValidateFunction | undefined;
/** The properties every field has, whatever its type (compiled once, on the first call). */
export function validateCommonFieldShape(): ValidateFunction {
  return (commonFieldValidator ??= metaAjv().compile(fieldSchema));
}

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
