import type { I18nText, JsonValue } from './model.js';

/**
 * Approval flows as authors write them (package `approvalFlows`, docs/metadata.md). Plain types:
 * the studio's flow editor imports them; the checks live in processes/approvals/check.ts.
 */
export interface ApprovalFlowDef {
  name: string;
  label: I18nText;
  object: string;
  description?: I18nText;
  /** Inactive flows are kept but start no new request (pending ones go on). */
  active?: boolean;
  /** Business types it applies to (absent: every record of the object). */
  businessTypes?: string[];
  /** json-logic on the record: the flow applies only when it holds. */
  entry?: JsonValue;
  /** Among the flows of one object that apply, the lowest number wins (default 100). */
  priority?: number;
  /** How a request starts: a user submits (default), the record is created, or a condition turns true. */
  start?: { on: 'submit' } | { on: 'create' } | { on: 'condition'; condition: JsonValue };
  /** A picklist or text field the engine keeps at pending / approved / rejected / recalled. */
  statusField?: string;
  /** While pending: the whole record, only these fields, or nothing is locked (default record). */
  lock?: { mode: 'record' | 'fields' | 'none'; fields?: string[] };
  steps: ApprovalStepDef[];
  /** Actions when the request is submitted, a step approves, and the final outcomes. */
  actions?: Partial<Record<ApprovalEvent, ActionDef[]>>;
}

export type ApprovalEvent = 'submit' | 'step_approved' | 'approved' | 'rejected' | 'recalled';
export type ApprovalMode = 'any' | 'all' | 'first';

export interface ApprovalStepDef {
  name: string;
  label: I18nText;
  /** Who decides: any mix of approver kinds (processes/approvals/approvers/). */
  approvers: ApproverDef[];
  /** any: one approval decides; all: every approver must approve; first: the first response decides. */
  mode?: ApprovalMode;
  /** json-logic on the record when the request reaches the step: when it holds, the step is skipped. */
  skipIf?: JsonValue;
  /** May the submitter approve their own request at this step (default false)? */
  allowSelfApproval?: boolean;
  /** Hours until the step is overdue; then `escalation` runs (on the job runner). */
  dueHours?: number;
  escalation?: { action: 'notify' | 'reassign_to_manager' };
}

/** One approver source; `kind` picks the registry entry, the rest is its settings. */
export interface ApproverDef {
  kind: string;
  [setting: string]: JsonValue | undefined;
}

/** One action; `kind` picks processes/actions/<kind>.ts. */
export interface ActionDef {
  kind: string;
  [setting: string]: JsonValue | undefined;
}

/** A named group of users (e.g. the legal team) approvers and pools can point at. */
export interface QueueDef {
  name: string;
  label: I18nText;
  /** User names of its members. */
  users?: string[];
  /** Every user in these roles is a member too. */
  roles?: string[];
}

/**
 * A notification text: handlebars in both languages, compiled with strict mode and known
 * helpers only. Built-in templates (approval_requested, approval_decided…) may be overridden by name.
 */
export interface NotificationTemplateDef {
  name: string;
  title: I18nText;
  body?: I18nText;
}
