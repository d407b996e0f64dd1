import type { FieldDef, ObjectDef, PackageDef } from '../../api/types';
import type {
  ActionDef,
  ApprovalEvent,
  ApprovalFlowDef,
  ApprovalStepDef,
  ApproverDef,
} from '../../../../engine/src/core/approval-model';
import { isRelationField } from '../../lib/objects';

export const EVENTS: ApprovalEvent[] = ['submit', 'step_approved', 'approved', 'rejected', 'recalled'];
export const APPROVER_KINDS = ['user', 'role', 'profile', 'manager', 'field', 'related_field', 'queue'];
export const ACTION_KINDS = ['field_update', 'create_record', 'notify'];
export const NOTIFY_TO = ['submitter', 'owner', 'approvers', 'actor'];
/** The engine's own templates (a package template of the same name replaces one). */
export const BUILTIN_TEMPLATES = [
  'approval_requested',
  'approval_decided',
  'approval_recalled',
  'approval_overdue',
];
/** System fields that hold a user, beside the object's `user` fields. */
const USER_SYSTEM = ['owner', 'created_by'];

/** The package with `object`'s flow `name` replaced by `f` (added when new; `null` removes it). */
export function withFlow(
  pkg: PackageDef,
  object: string,
  name: string | null,
  f: ApprovalFlowDef | null,
): { pkg: PackageDef; index: number } {
  const list = pkg.approvalFlows ?? [];
  const at = list.findIndex((x) => x.object === object && x.name === name);
  const approvalFlows = list.filter((_, i) => i !== at);
  const index = at < 0 ? approvalFlows.length : at;
  if (f) approvalFlows.splice(index, 0, f);
  return { pkg: { ...pkg, approvalFlows }, index };
}

/** A new approver of a kind, with the settings it needs to be valid once filled. */
export function blankApprover(kind: string): ApproverDef {
  switch (kind) {
    case 'user':
      return { kind, users: [] };
    case 'role':
      return { kind, role: '' };
    case 'profile':
      return { kind, profile: '' };
    case 'manager':
      return { kind, levels: 1, of: 'owner' };
    case 'field':
      return { kind, field: '' };
    case 'related_field':
      return { kind, path: [] };
    default:
      return { kind, queue: '' };
  }
}

export function blankAction(kind: string): ActionDef {
  if (kind === 'field_update') return { kind, set: {} };
  if (kind === 'create_record') return { kind, object: '', link: '', values: {} };
  return { kind, to: ['submitter'], template: 'approval_decided' };
}

export function blankStep(n: number): ApprovalStepDef {
  return {
    name: `step_${n}`,
    label: { en: '', 'zh-CN': '' },
    approvers: [{ kind: 'manager', levels: 1, of: 'owner' }],
    mode: 'any',
  };
}

const has = (v: unknown) => v !== undefined && v !== null && v !== '';

/** The flow as the package holds it: defaults and empty settings left out, keys in a fixed order. */
export function cleanFlow(f: ApprovalFlowDef): ApprovalFlowDef {
  const out: ApprovalFlowDef = { name: f.name, label: f.label, object: f.object, steps: [] };
  if (f.description && (f.description.en || f.description['zh-CN'])) out.description = f.description;
  if (f.active === false) out.active = false;
  if (f.businessTypes?.length) out.businessTypes = f.businessTypes;
  if (has(f.entry)) out.entry = f.entry;
  if (has(f.priority)) out.priority = f.priority;
  if (f.start && f.start.on !== 'submit') out.start = f.start;
  if (f.statusField) out.statusField = f.statusField;
  if (f.lock && f.lock.mode !== 'record')
    out.lock =
      f.lock.mode === 'fields' ? { mode: 'fields', fields: f.lock.fields ?? [] } : { mode: f.lock.mode };
  out.steps = f.steps.map((s) => {
    const step: ApprovalStepDef = { name: s.name, label: s.label, approvers: s.approvers.map(cleanSettings) };
    if (s.mode && s.mode !== 'any') step.mode = s.mode;
    if (has(s.skipIf)) step.skipIf = s.skipIf;
    if (s.allowSelfApproval) step.allowSelfApproval = true;
    if (s.dueHours) {
      step.dueHours = s.dueHours;
      if (s.escalation) step.escalation = s.escalation;
    }
    return step;
  });
  const actions = Object.fromEntries(
    EVENTS.filter((e) => f.actions?.[e]?.length).map((e) => [e, f.actions![e]!.map(cleanSettings)]),
  );
  if (Object.keys(actions).length) out.actions = actions;
  return out;
}

/** Settings without blanks (an unset optional setting is left out, not sent as ""). */
function cleanSettings<T extends { kind: string }>(x: T): T {
  return Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/** Fields naming a user: the approver kind `field` and the end of a `related_field` path. */
export const userFieldsOf = (o: ObjectDef): { name: string; field?: FieldDef }[] => [
  ...USER_SYSTEM.map((name) => ({ name })),
  ...o.fields.filter((f) => f.type === 'user').map((field) => ({ name: field.name, field })),
];

/** Lookups a related-field path can follow from `o`. */
export const lookupsOf = (o: ObjectDef): FieldDef[] =>
  o.fields.filter((f) => isRelationField(f) && !!f.target);

/** Fields the engine can keep at the request's status: text, or a picklist with the four options. */
export const statusFieldsOf = (o: ObjectDef): FieldDef[] =>
  o.fields.filter((f) => f.type === 'text' || f.type === 'picklist');
