import type {
  ApprovalEvent,
  ApprovalFlowDef,
  ApprovalMode,
  ApprovalStepDef,
} from '../../core/approval-model.js';
import type { I18nText } from '../../core/model.js';
import type { CompiledModel, CompiledObject } from '../../metadata/compile.js';
import { exprEnvOf } from '../../metadata/expr-env.js';
import { compileExpression, type CompiledExpr } from '../../rules/index.js';
import { actionKind, type CompiledAction } from '../actions/registry.js';
import { approverKind, type CompiledApprover } from './approvers/registry.js';

export interface CompiledStep {
  index: number;
  name: string;
  label: I18nText;
  mode: ApprovalMode;
  skipIf: CompiledExpr | null;
  approvers: CompiledApprover[];
  allowSelfApproval: boolean;
  dueHours: number | null;
  escalation: 'notify' | 'reassign_to_manager' | null;
}

export interface CompiledFlow {
  def: ApprovalFlowDef;
  name: string;
  label: I18nText;
  object: CompiledObject;
  active: boolean;
  priority: number;
  businessTypes: ReadonlySet<string> | null;
  entry: CompiledExpr | null;
  start: 'submit' | 'create' | 'condition';
  startCondition: CompiledExpr | null;
  statusField: string | null;
  lock: { mode: 'record' | 'fields' | 'none'; fields: ReadonlySet<string> };
  steps: CompiledStep[];
  actions: Record<ApprovalEvent, CompiledAction[]>;
}

const EVENTS: ApprovalEvent[] = ['submit', 'step_approved', 'approved', 'rejected', 'recalled'];

/**
 * Compiles a flow against a model. A flow checked at deploy always compiles; a request's stored
 * flow (an older version) may name what the model no longer has: such a part is left out
 * (a condition that cannot compile never skips; an approver source that cannot is dropped).
 */
export function compileFlow(model: CompiledModel, def: ApprovalFlowDef): CompiledFlow | null {
  const object = model.objects.get(def.object);
  if (!object) return null;
  const env = exprEnvOf(model, def.object)!;
  const cond = (e: unknown) => {
    if (e === undefined || e === null) return null;
    try {
      return compileExpression(e, env, 'condition');
    } catch {
      return null;
    }
  };
  const step = (s: ApprovalStepDef, index: number): CompiledStep => ({
    index,
    name: s.name,
    label: s.label,
    mode: s.mode ?? 'any',
    skipIf: cond(s.skipIf),
    approvers: s.approvers.flatMap((a) => {
      try {
        return [approverKind(a.kind)!.compile(a, model, object)];
      } catch {
        return [];
      }
    }),
    allowSelfApproval: s.allowSelfApproval ?? false,
    dueHours: s.dueHours ?? null,
    escalation: s.escalation?.action ?? null,
  });
  const actions = Object.fromEntries(
    EVENTS.map((e) => [
      e,
      (def.actions?.[e] ?? []).flatMap((a) => {
        try {
          return [actionKind(a.kind)!.compile(a, model, object)];
        } catch {
          return [];
        }
      }),
    ]),
  ) as Record<ApprovalEvent, CompiledAction[]>;
  const start = def.start?.on ?? 'submit';
  return {
    def,
    name: def.name,
    label: def.label,
    object,
    active: def.active !== false,
    priority: def.priority ?? 100,
    businessTypes: def.businessTypes?.length ? new Set(def.businessTypes) : null,
    entry: cond(def.entry),
    start,
    startCondition: def.start?.on === 'condition' ? cond(def.start.condition) : null,
    statusField: def.statusField && object.fields.has(def.statusField) ? def.statusField : null,
    lock: { mode: def.lock?.mode ?? 'record', fields: new Set(def.lock?.fields ?? []) },
    steps: def.steps.map(step),
    actions,
  };
}

interface ModelFlows {
  byObject: Map<string, CompiledFlow[]>;
  byName: Map<string, CompiledFlow>;
  /** Stored definitions of pending requests, by `name@metaVersion`. */
  snapshots: Map<string, CompiledFlow | null>;
}

const cache = new WeakMap<CompiledModel, ModelFlows>();

/** The model's flows, compiled once per metadata version, by object in priority order. */
export function flowsOf(model: CompiledModel): ModelFlows {
  let m = cache.get(model);
  if (m) return m;
  const byObject = new Map<string, CompiledFlow[]>();
  const byName = new Map<string, CompiledFlow>();
  for (const def of model.pkg.approvalFlows ?? []) {
    const f = compileFlow(model, def);
    if (!f) continue;
    byName.set(f.name, f);
    byObject.set(def.object, [...(byObject.get(def.object) ?? []), f]);
  }
  for (const list of byObject.values()) list.sort((a, b) => a.priority - b.priority);
  m = { byObject, byName, snapshots: new Map() };
  cache.set(model, m);
  return m;
}

/** A request's flow as it was when submitted (compiled once per model and stored version). */
export function flowOfRequest(
  model: CompiledModel,
  req: { flow: string; meta_version: number; definition: ApprovalFlowDef },
): CompiledFlow | null {
  const m = flowsOf(model);
  if (req.meta_version === model.version) return m.byName.get(req.flow) ?? null;
  const key = `${req.flow}@${req.meta_version}`;
  if (!m.snapshots.has(key)) m.snapshots.set(key, compileFlow(model, req.definition));
  return m.snapshots.get(key)!;
}

/** Does any flow of the model lock records of this object (the lock step needs a transaction then)? */
export const hasFlows = (model: CompiledModel, object: string) => flowsOf(model).byObject.has(object);
