import { lazyAjv, type ValidateFunction } from '../core/ajv.js';
import type { JsonSchema } from '../fields/field-type.js';
import type { CompiledObject } from '../metadata/compile.js';
import { perObject } from '../metadata/per-object.js';

/** Widens a value schema to accept null (keywords such as maxLength or format ignore non-strings). */
export function nullable(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  return out;
}

/** JSON Schema of a record's writable values: what POST and PATCH accept. No `required`: see requiredFields. */
export function writeSchema(o: CompiledObject): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of o.fieldList) if (f.type.writable) properties[f.name] = nullable(f.type.valueSchema(f.def));
  // chosen by the writer; checked against the object's business types by processes/stages
  if (o.processColumns.some((c) => c.name === 'business_type')) properties.business_type = { type: 'string' };
  return { type: 'object', properties, additionalProperties: false };
}

/** JSON Schema of a record as the API returns it (system fields included). */
export function readSchema(o: CompiledObject): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    id: { type: 'string', format: 'uuid', readOnly: true },
    owner: { type: ['string', 'null'], format: 'uuid', readOnly: true },
    created_at: { type: 'string', format: 'date-time', readOnly: true },
    created_by: { type: ['string', 'null'], format: 'uuid', readOnly: true },
    updated_at: { type: 'string', format: 'date-time', readOnly: true },
    updated_by: { type: ['string', 'null'], format: 'uuid', readOnly: true },
    version: { type: 'integer', readOnly: true },
  };
  if (o.processColumns.some((c) => c.name === 'business_type'))
    properties.business_type = { type: ['string', 'null'] };
  if (o.stageField) {
    properties.stage_entered_at = { type: ['string', 'null'], format: 'date-time', readOnly: true };
    properties.stage_due_at = { type: ['string', 'null'], format: 'date-time', readOnly: true };
    properties.days_in_stage = { type: ['integer', 'null'], readOnly: true };
    properties.stale = { type: 'boolean', readOnly: true };
  }
  for (const f of o.fieldList) {
    const { 'x-scale': _scale, ...value } = f.type.valueSchema(f.def) as JsonSchema & { 'x-scale'?: number };
    void _scale;
    properties[f.name] = {
      ...nullable(value),
      title: f.def.label.en,
      description: f.def.label['zh-CN'],
      ...(f.type.writable ? {} : { readOnly: true }),
    };
  }
  return { type: 'object', properties, required: ['id', 'version'] };
}

/** Fields a saved record must have a value in. */
export const requiredFields = (o: CompiledObject) =>
  o.fieldList.filter((f) => f.type.writable && f.def.required).map((f) => f.name);

export interface ObjectValidators {
  write: ValidateFunction;
  required: string[];
}

// Compiled once per CompiledObject, i.e. once per metadata version.
const ajv = lazyAjv();
export const validatorsFor = perObject((o): ObjectValidators => ({
  write: ajv().compile(writeSchema(o)),
  required: requiredFields(o),
}));
