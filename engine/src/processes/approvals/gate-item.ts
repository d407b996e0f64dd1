import type { Knex } from 'knex';
import type { FieldIssue } from '../../core/errors.js';
import type { Ident } from '../../core/ident.js';
import type { I18nText, JsonValue, ObjectDef, PackageDef } from '../../core/model.js';
import { APPROVAL_REQUESTS } from '../../db/engine-tables.js';
import type { CompiledModel, CompiledObject } from '../../metadata/compile.js';

/**
 * The gate item kind `approval_approved` ("the contract approval has been approved since
 * entering 合同签订") for the stage-gate item registry (processes/gates). Its shapes are the
 * parts of that registry's GateItemKind it uses; engine.ts registers it with
 * `registerGateItem(approvalApprovedGateItem)`, so stages never import approvals.
 */
interface GateItemDef {
  kind: string;
  name?: string;
  label?: I18nText;
  [setting: string]: JsonValue | undefined;
}
interface GateEvalContext {
  db: Knex;
  schema: Ident;
  object: CompiledObject;
  recordId: string | null;
  /** When the record entered the stage it is in now (null: a new record). */
  since: Date | null;
  lock: boolean;
}

const LABEL = { en: 'Approval approved', 'zh-CN': '审批已通过' };

export const approvalApprovedGateItem = {
  kind: 'approval_approved',
  label: LABEL,
  configSchema: {
    properties: {
      flow: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
      /** `stage` (default): approved since the record entered its stage; `ever`: any approval. */
      since: { enum: ['stage', 'ever'] },
    },
  },
  checkAtDeploy(
    def: GateItemDef,
    ctx: { pkg: PackageDef; object: ObjectDef; pointer: string },
  ): FieldIssue[] {
    const flows = (ctx.pkg.approvalFlows ?? []).filter((f) => f.object === ctx.object.name);
    if (def.flow === undefined)
      return flows.length
        ? []
        : [
            {
              pointer: `${ctx.pointer}/kind`,
              code: 'APPROVAL_NO_FLOW',
              params: { object: ctx.object.label },
            },
          ];
    return flows.some((f) => f.name === def.flow)
      ? []
      : [
          {
            pointer: `${ctx.pointer}/flow`,
            code: 'APPROVAL_FLOW_NOT_FOUND',
            params: { flow: def.flow, object: ctx.object.label },
          },
        ];
  },
  compile(def: GateItemDef, name: string, model: CompiledModel, object: CompiledObject) {
    const flow = def.flow as string | undefined;
    const sinceStage = (def.since ?? 'stage') === 'stage';
    const flowLabel = (model.pkg.approvalFlows ?? []).find((f) => f.name === flow)?.label ?? LABEL;
    return {
      kind: 'approval_approved',
      name,
      label: (def.label as I18nText | undefined) ?? flowLabel,
      /** Reads approval requests: a write that evaluates it runs in a transaction. */
      related: true,
      async evaluate(ctx: GateEvalContext) {
        const latest = ctx.recordId
          ? ((await (() => {
              const q = ctx.db
                .withSchema(ctx.schema)
                .from(APPROVAL_REQUESTS)
                .where({ object: object.name, record_id: ctx.recordId })
                .orderBy('submitted_at', 'desc')
                .first('id', 'status', 'decided_at');
              if (flow) q.where('flow', flow);
              // a decision in flight waits for this write, and this write for it
              if (ctx.lock) q.forShare();
              return q;
            })()) as { id: string; status: string; decided_at: Date | null } | undefined)
          : undefined;
        const met =
          latest?.status === 'approved' &&
          (!sinceStage || !ctx.since || (latest.decided_at !== null && latest.decided_at >= ctx.since));
        return {
          met,
          code: met ? 'GATE_APPROVAL_APPROVED' : 'GATE_APPROVAL_NEEDED',
          params: { flow: flowLabel },
          details: { requestId: latest?.id ?? null, status: latest?.status ?? null } as Record<
            string,
            JsonValue
          >,
        };
      },
    };
  },
};
