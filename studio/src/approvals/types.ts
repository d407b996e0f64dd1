import type { I18nText } from '../api/types';

/** The approvals API's shapes (docs/api.md "Approvals", "Notifications"). */
export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'recalled' | 'cancelled';
export type Box = 'pending' | 'done' | 'submitted';

export interface Person {
  id: string;
  name: string | null;
}

export interface StepRef {
  index: number;
  name: string;
  label: I18nText | null;
}

export interface Approver extends Person {
  status: 'pending' | 'waiting' | 'approved' | 'rejected' | 'transferred' | 'cancelled';
  origin: string;
  taskId: string;
}

export interface Decision {
  action: string;
  step: StepRef | null;
  actor: Person | null;
  comment: string | null;
  detail: Record<string, unknown> | null;
  at: string;
}

export interface ApprovalRequest {
  id: string;
  flow: string;
  flowLabel: I18nText | null;
  object: string;
  recordId: string;
  round: number;
  status: RequestStatus;
  submitter: Person | null;
  comment: string | null;
  submittedAt: string;
  decidedAt: string | null;
  steps: { index: number; name: string; label: I18nText | null; mode: string }[];
  currentStep: (StepRef & { dueAt: string | null }) | null;
  approvers: Approver[];
  decisions: Decision[];
  /** Inbox lines only. */
  recordName?: string | null;
}

export interface ApprovalLock {
  mode: 'record' | 'fields';
  fields: string[];
  /** The caller (a current approver, an admin) may still edit. */
  exempt: boolean;
}

export interface ApprovalState {
  status: RequestStatus | null;
  current: { requestId: string; step: StepRef | null; approvers: Approver[] } | null;
  flows: boolean;
  lock: ApprovalLock | null;
  rounds: ApprovalRequest[];
}

export type DecisionBody =
  | { action: 'approve' | 'reject'; comment?: string }
  | { action: 'transfer'; to: string; comment?: string }
  | { action: 'add_approver'; to: string; position: 'before' | 'after'; comment?: string };

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: { object?: string; recordId?: string; requestId?: string } | null;
  createdAt: string;
  read: boolean;
  readAt: string | null;
}
