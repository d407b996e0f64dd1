import type { Knex } from 'knex';
import { ajvIssues, compileLazily, lazyAjv, type ValidateFunction } from '../../core/ajv.js';
import type { FieldIssue } from '../../core/errors.js';
import type { Ident } from '../../core/ident.js';
import type { GateItemDef, I18nText, JsonValue, ObjectDef, PackageDef } from '../../core/model.js';
import type { JsonSchema } from '../../fields/field-type.js';
import type { CompiledModel, CompiledObject } from '../../metadata/compile.js';
import type { AccessPolicy } from '../../records/access.js';

/** What an item sees at deploy: the package, the object whose stage gate holds it, where it sits. */
export interface GateDeployContext {
  pkg: PackageDef;
  object: ObjectDef;
  /** JSON pointer of the item in the package, e.g. /pipelines/0/stages/2/gate/1. */
  pointer: string;
}

/**
 * The record a gate is evaluated for. `record` is its JSON form as it would be saved (stored
 * values with the write's values over them); `before` is as stored (null on create).
 */
export interface GateEvalContext {
  /** Under the tenant's role; inside the write's transaction when `lock`. */
  db: Knex;
  schema: Ident;
  model: CompiledModel;
  object: CompiledObject;
  recordId: string | null;
  record: Record<string, unknown>;
  before: Record<string, unknown> | null;
  /** When the record entered the stage it is in now (null: a new record). */
  since: Date | null;
  now: Date;
  actor: string;
  timeZone: string;
  /** In a write: lock what the answer rests on (children FOR SHARE) until commit. */
  lock: boolean;
  /** The caller's access: which counted records' names the answer may show. */
  access: AccessPolicy;
}

/**
 * An item's answer: met or not, why as a message code of core/messages.ts with its params (the
 * reader's language is chosen when it is rendered), and machine-readable details.
 */
export interface GateResult {
  met: boolean;
  code: string;
  params: Record<string, unknown>;
  details: Record<string, JsonValue>;
}

/** An item compiled once per metadata version. */
export interface CompiledGateItem {
  kind: string;
  name: string;
  label: I18nText;
  /** Does the item read other records (so a write must lock them and run in a transaction)? */
  related: boolean;
  evaluate(ctx: GateEvalContext): Promise<GateResult>;
}

/**
 * One kind of gate item, like a field type: its settings' JSON Schema (validated at deploy, shown
 * to the studio), its deploy checks, and its compile step that yields the runtime evaluator.
 */
export interface GateItemKind {
  kind: string;
  label: I18nText;
  /** JSON Schema of the item's settings beside kind, name and label. */
  configSchema: JsonSchema;
  /** Semantic checks (fields, objects, expressions exist and fit), with pointers under ctx.pointer. */
  checkAtDeploy(def: GateItemDef, ctx: GateDeployContext): FieldIssue[];
  compile(def: GateItemDef, name: string, model: CompiledModel, object: CompiledObject): CompiledGateItem;
}

const kinds = new Map<string, GateItemKind>();
const validators = new Map<string, ValidateFunction>();
const ajv = lazyAjv();

const COMMON = {
  kind: { type: 'string' },
  name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
  label: {
    type: 'object',
    properties: { en: { type: 'string', maxLength: 200 }, 'zh-CN': { type: 'string', maxLength: 200 } },
    required: ['en', 'zh-CN'],
    additionalProperties: false,
  },
};

/**
 * Adds a kind at composition time (the built-ins in gates/index.ts; approvals registers
 * `approval_approved` itself, so stages never import approvals). Registering a kind twice with
 * the same object is harmless; another object under a taken name is a programming error.
 */
export function registerGateItem(k: GateItemKind): void {
  const have = kinds.get(k.kind);
  if (have === k) return;
  if (have) throw new Error(`gate item kind "${k.kind}" is already registered`);
  kinds.set(k.kind, k);
  validators.set(
    k.kind,
    compileLazily(ajv, {
      type: 'object',
      properties: { ...COMMON, ...k.configSchema.properties! },
      required: ['kind', ...((k.configSchema.required as string[] | undefined) ?? [])],
      additionalProperties: false,
    }),
  );
}

export const gateItemKind = (kind: string): GateItemKind | undefined => kinds.get(kind);
export const gateItemKinds = (): GateItemKind[] => [...kinds.values()];

/** The item's settings against its kind's schema, then its own checks. */
export function checkGateItem(def: GateItemDef, ctx: GateDeployContext): FieldIssue[] {
  const k = kinds.get(def.kind);
  if (!k)
    return [
      {
        pointer: `${ctx.pointer}/kind`,
        code: 'NOT_AN_OPTION',
        params: { value: def.kind, allowed: [...kinds.keys()].join(', ') },
      },
    ];
  const v = validators.get(def.kind)!;
  if (!v(def)) return ajvIssues(v.errors, ctx.pointer);
  return k.checkAtDeploy(def, ctx);
}
