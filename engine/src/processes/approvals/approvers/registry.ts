import type { Knex } from 'knex';
import { ajvIssues, compileLazily, lazyAjv, type ValidateFunction } from '../../../core/ajv.js';
import type { ApproverDef } from '../../../core/approval-model.js';
import type { FieldIssue } from '../../../core/errors.js';
import type { Ident } from '../../../core/ident.js';
import type { I18nText, ObjectDef, PackageDef } from '../../../core/model.js';
import type { JsonSchema } from '../../../fields/field-type.js';
import type { CompiledModel, CompiledObject } from '../../../metadata/compile.js';

/** What an approver source sees at deploy: the package, the flow's object, where it sits. */
export interface ApproverDeployContext {
  pkg: PackageDef;
  object: ObjectDef;
  /** JSON pointer of the approver in the package, e.g. /approvalFlows/0/steps/1/approvers/0. */
  pointer: string;
}

/** What resolving sees: the record (stored row, database columns) inside the decision's transaction. */
export interface ApproverResolveContext {
  db: Knex;
  schema: Ident;
  model: CompiledModel;
  object: CompiledObject;
  row: Record<string, unknown>;
  submitter: string;
}

/** An approver source compiled once per metadata version. */
export interface CompiledApprover {
  kind: string;
  /** For previews and the timeline: who this source is, in both languages. */
  describe: I18nText;
  /** Active users' ids (may be empty: the caller decides what no approver means). */
  resolve(ctx: ApproverResolveContext): Promise<string[]>;
}

/**
 * One kind of approver source, like a field type: its settings' JSON Schema (checked at deploy,
 * shown to the studio's approver picker), semantic deploy checks with pointers, the user names
 * it references (checked against the tenant's users in the deploy's transaction), and compile.
 */
export interface ApproverKind {
  kind: string;
  label: I18nText;
  configSchema: JsonSchema;
  checkAtDeploy(def: ApproverDef, ctx: ApproverDeployContext): FieldIssue[];
  /** User names this source names, with the pointer of each (deploy refuses unknown ones). */
  usernames?(def: ApproverDef, pointer: string): { name: string; pointer: string }[];
  compile(def: ApproverDef, model: CompiledModel, object: CompiledObject): CompiledApprover;
}

const kinds = new Map<string, ApproverKind>();
const validators = new Map<string, ValidateFunction>();
const ajv = lazyAjv();

/** Adds a kind at composition time; the same object twice is harmless, another under a taken name is a bug. */
export function registerApproverKind(k: ApproverKind): void {
  const have = kinds.get(k.kind);
  if (have === k) return;
  if (have) throw new Error(`approver kind "${k.kind}" is already registered`);
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

export const approverKind = (kind: string) => kinds.get(kind);
export const approverKinds = (): ApproverKind[] => [...kinds.values()];

/** The approver's settings against its kind's schema, then its own checks. */
export function checkApprover(def: ApproverDef, ctx: ApproverDeployContext): FieldIssue[] {
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
