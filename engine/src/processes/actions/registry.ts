import type { Knex } from 'knex';
import { ajvIssues, compileLazily, lazyAjv, type ValidateFunction } from '../../core/ajv.js';
import type { ActionDef } from '../../core/approval-model.js';
import type { FieldIssue } from '../../core/errors.js';
import type { I18nText, ObjectDef, PackageDef } from '../../core/model.js';
import type { JsonSchema } from '../../fields/field-type.js';
import type { CompiledModel, CompiledObject } from '../../metadata/compile.js';
import type { RecordsService, Scope } from '../../records/service.js';

export interface ActionDeployContext {
  pkg: PackageDef;
  object: ObjectDef;
  pointer: string;
  /** Names of notification templates the package can use (built-in and its own). */
  templates: ReadonlySet<string>;
}

/** Who an action can address, resolved by the feature that runs it. */
export type Audience = 'submitter' | 'owner' | 'approvers' | 'actor';

/**
 * What an action sees when it runs: the caller's transaction, a system Scope whose origin names
 * the feature (`approval:<id>`), the record, and the notifier of that feature.
 */
export interface ActionRunContext {
  trx: Knex;
  records: RecordsService;
  /** Writes as the system (ALLOW_ALL) on behalf of the deciding user. */
  scope: Scope;
  object: CompiledObject;
  recordId: string;
  audience(who: Audience): string[];
  notify(userIds: string[], template: string): Promise<void>;
}

export interface CompiledAction {
  kind: string;
  run(ctx: ActionRunContext): Promise<void>;
}

/**
 * One kind of action (field update, create a related record, notify), shared by approvals now and
 * automation later: settings schema, deploy checks with pointers, compile once per metadata version.
 */
export interface ActionKind {
  kind: string;
  label: I18nText;
  configSchema: JsonSchema;
  checkAtDeploy(def: ActionDef, ctx: ActionDeployContext): FieldIssue[];
  compile(def: ActionDef, model: CompiledModel, object: CompiledObject): CompiledAction;
}

const kinds = new Map<string, ActionKind>();
const validators = new Map<string, ValidateFunction>();
const ajv = lazyAjv();

export function registerActionKind(k: ActionKind): void {
  const have = kinds.get(k.kind);
  if (have === k) return;
  if (have) throw new Error(`action kind "${k.kind}" is already registered`);
  kinds.set(k.kind, k);
  validators.set(
    k.kind,
    compileLazily(ajv, {
      type: 'object',
      properties: { kind: { type: 'string' }, ...(k.configSchema.properties as object) },
      required: ['kind', ...((k.configSchema.required as string[] | undefined) ?? [])],
      additionalProperties: false,
    }),
  );
}

export const actionKind = (kind: string) => kinds.get(kind);
export const actionKinds = (): ActionKind[] => [...kinds.values()];

export function checkAction(def: ActionDef, ctx: ActionDeployContext): FieldIssue[] {
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
