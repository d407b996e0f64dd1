import type { FieldDef, ObjectDef } from '../core/model.js';
import { fieldType, withDefaults } from '../fields/registry.js';
import type { ExprEnv, ExprType, FieldInfo } from './types.js';

const SYSTEM: Record<string, ExprType> = {
  id: 'string',
  owner: 'string',
  created_by: 'string',
  updated_by: 'string',
  created_at: 'datetime',
  updated_at: 'datetime',
  version: 'number',
};

const RETURN_TYPES: Record<string, ExprType> = {
  text: 'string',
  number: 'number',
  integer: 'number',
  currency: 'number',
  percent: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
};

/** The expression type of a field's values, from its type's operand and storage. */
export function exprTypeOf(raw: FieldDef): ExprType {
  const f = withDefaults(raw);
  if (f.returnType && f.expression !== undefined) return RETURN_TYPES[f.returnType] ?? 'any';
  const t = fieldType(f.type);
  if (t.storage(f).pg === 'text[]') return 'array';
  switch (t.operand) {
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    default:
      return 'string';
  }
}

export function fieldInfo(raw: FieldDef): FieldInfo {
  const f = withDefaults(raw);
  const ref = fieldType(f.type).storage(f).references;
  return {
    type: exprTypeOf(f),
    ...(f.options ? { options: f.options.map((o) => o.value) } : {}),
    ...(ref ? { lookup: ref.object } : {}),
  };
}

/** Expression environments for a package's objects (metadata at deploy, or a compiled model). */
export function envFromObjects(objects: readonly ObjectDef[]): (name: string) => ExprEnv | undefined {
  const defs = new Map(objects.map((o) => [o.name, o]));
  const envs = new Map<string, ExprEnv>();
  const envOf = (name: string): ExprEnv | undefined => {
    const cached = envs.get(name);
    if (cached) return cached;
    const o = defs.get(name);
    if (!o) return undefined;
    const fields = new Map<string, FieldInfo>(Object.entries(SYSTEM).map(([n, type]) => [n, { type }]));
    for (const f of o.fields) fields.set(f.name, fieldInfo(f));
    const env: ExprEnv = {
      object: name,
      field: (n) => fields.get(n),
      target: (n) => {
        const lk = fields.get(n)?.lookup;
        return lk ? envOf(lk) : undefined;
      },
    };
    envs.set(name, env);
    return env;
  };
  return envOf;
}
