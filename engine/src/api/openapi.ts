import type { CompiledModel, CompiledObject } from '../metadata/compile.js';
import { ALLOW_ALL, type AccessPolicy } from '../records/access.js';
import { APPROVAL_SCHEMAS, approvalPaths } from './openapi-approvals.js';
import { readSchema, writeSchema } from '../validation/record-schema.js';

/** Per metadata version, one document per visibility key (profile, or admin). */
const cache = new WeakMap<CompiledModel, Map<string, object>>();

/** The schema with only the properties `keep` lets through (and no `required` naming the rest). */
function pick(schema: object, keep: (name: string) => boolean): object {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] };
  return {
    ...s,
    properties: Object.fromEntries(Object.entries(s.properties ?? {}).filter(([k]) => keep(k))),
    ...(s.required ? { required: s.required.filter(keep) } : {}),
  };
}

/** Read and write schemas of `o` as the caller sees them: readable fields; editable ones to write. */
function schemasFor(o: CompiledObject, access: AccessPolicy) {
  const readable = access.readable(o);
  const editable = access.editable(o);
  const own = new Set(o.fieldList.map((f) => f.name));
  return {
    read: pick(readSchema(o), (k) => !own.has(k) || readable.has(k)),
    write: pick(writeSchema(o), (k) => own.has(k) && editable.has(k) && readable.has(k)),
  };
}

/** Strips our private keywords so the schema is plain JSON Schema 2020-12 for OpenAPI 3.1. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !k.startsWith('x-'))
        .map(([k, x]) => [k, clean(x)]),
    );
  return v;
}

const problem = { $ref: '#/components/responses/Problem' };

/**
 * OpenAPI 3.1 of a tenant's records API as one caller may use it, trimmed exactly like
 * GET /meta/objects (security/visible-model.ts): objects they may read, fields they may read
 * (so no hidden field and none of its options), writes they may make. Built once per metadata
 * version and visibility key; `access` must be the policy of a subject with that key.
 */
export function openApiFor(
  model: CompiledModel,
  access: AccessPolicy,
  key: string,
  tenantName: string,
): object {
  let perModel = cache.get(model);
  if (!perModel) cache.set(model, (perModel = new Map()));
  const hit = perModel.get(key);
  if (hit) return hit;
  const schemas: Record<string, unknown> = {
    Problem: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string' },
        code: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              pointer: { type: 'string' },
              code: { type: 'string' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  };
  const paths: Record<string, unknown> = {};
  for (const o of model.objects.values()) {
    if (!access.can(o, 'read')) continue;
    const ref = (n: string) => ({ $ref: `#/components/schemas/${n}` });
    const own = schemasFor(o, access);
    schemas[o.name] = {
      ...(clean(own.read) as object),
      title: o.def.label.en,
      description: o.def.label['zh-CN'],
    };
    schemas[`${o.name}_write`] = clean(own.write);
    const one = {
      content: { 'application/json': { schema: { type: 'object', properties: { data: ref(o.name) } } } },
    };
    const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
    const tags = [o.name];
    paths[`/api/v1/data/${o.name}`] = {
      get: {
        tags,
        operationId: `list_${o.name}`,
        summary: `List ${o.def.pluralLabel.en} / ${o.def.pluralLabel['zh-CN']}`,
        parameters: ['filter', 'sort', 'cursor', 'fields', 'expand']
          .map((name) => ({ name, in: 'query', schema: { type: 'string' } }))
          .concat([
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } as never },
          ]),
        responses: {
          200: {
            description: 'A page of records',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    data: { type: 'array', items: ref(o.name) },
                    meta: {
                      type: 'object',
                      properties: {
                        next_cursor: { type: ['string', 'null'] },
                        has_more: { type: 'boolean' },
                      },
                    },
                  },
                },
              },
            },
          },
          default: problem,
        },
      },
      ...(access.can(o, 'create') && {
        post: {
          tags,
          operationId: `create_${o.name}`,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(`${o.name}_write`) } },
          },
          responses: { 201: { description: 'Created', ...one }, default: problem },
        },
      }),
    };
    paths[`/api/v1/data/${o.name}/{id}`] = {
      parameters: [idParam],
      get: {
        tags,
        operationId: `get_${o.name}`,
        responses: { 200: { description: 'The record', ...one }, default: problem },
      },
      ...(access.can(o, 'edit') && {
        patch: {
          tags,
          operationId: `update_${o.name}`,
          parameters: [{ name: 'If-Match', in: 'header', schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(`${o.name}_write`) } },
          },
          responses: { 200: { description: 'Updated', ...one }, default: problem },
        },
      }),
      ...(access.can(o, 'delete') && {
        delete: {
          tags,
          operationId: `delete_${o.name}`,
          parameters: [{ name: 'If-Match', in: 'header', schema: { type: 'string' } }],
          responses: { 204: { description: 'Deleted' }, default: problem },
        },
      }),
    };
  }
  const flows = new Set((model.pkg.approvalFlows ?? []).map((f) => f.object));
  Object.assign(schemas, APPROVAL_SCHEMAS);
  Object.assign(
    paths,
    approvalPaths(
      [...model.objects.values()]
        .filter((o) => flows.has(o.name) && access.can(o, 'read'))
        .map((o) => o.name),
      access === ALLOW_ALL,
    ),
  );
  const doc = {
    openapi: '3.1.0',
    info: {
      title: `Tessera API: ${tenantName}`,
      version: String(model.version),
      description: 'Generated from the tenant metadata.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: {
        Problem: {
          description: 'RFC 9457 problem',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
  perModel.set(key, doc);
  return doc;
}
