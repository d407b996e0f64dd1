import type { TenantSessions } from '../../db/tenant-sessions.js';
import type { RecordStep } from '../../records/pipeline.js';
import type { RecordsService } from '../../records/service.js';
import { registerDeployExtension } from '../../schema-sync/apply.js';
import { registerBuiltinActions } from '../actions/index.js';
import { registerBuiltinApprovers } from './approvers/index.js';
import { checkApprovals, checkApprovalUsers } from './check.js';
import { approvalLockStep } from './lock-step.js';
import { approvalCloseStep } from './close-step.js';
import { ApprovalService } from './service.js';
import { approvalStartStep } from './start-step.js';

export { ApprovalService, type Caller } from './service.js';
export { previewFlow } from './preview.js';
export { draftFlowScope } from './preview-draft.js';
export { approvalApprovedGateItem } from './gate-item.js';
export { inbox, type Box } from './views.js';
export { escalationJobKind, escalationScheduler, ESCALATE_JOB, escalationKey } from './escalation-job.js';

/**
 * Approvals for the composition root: registers the approver and action kinds and the deploy
 * checks of flows, queues and templates; the service needs the records service, so engine.ts
 * wires the lock step first and the service once records exist.
 */
export function registerApprovals(timeZone: string): {
  lockStep: RecordStep;
  startStep: RecordStep;
  /** After persist: a deleted record's pending request is cancelled (every delete path). */
  closeStep: RecordStep;
  /** Gives the start step its service, once the records service exists. */
  bind(service: ApprovalService): void;
} {
  registerBuiltinApprovers();
  registerBuiltinActions();
  registerDeployExtension({
    name: 'approvals',
    check: checkApprovals,
    checkData: (trx, { tenant, pkg }) => checkApprovalUsers(trx, tenant.schema, pkg),
  });
  let bound: ApprovalService | null = null;
  const service = () => {
    if (!bound) throw new Error('approvals: the service is not bound yet');
    return bound;
  };
  return {
    lockStep: approvalLockStep,
    startStep: approvalStartStep(service, timeZone),
    closeStep: approvalCloseStep,
    bind: (s) => void (bound = s),
  };
}

export const createApprovalService = (records: RecordsService, sessions: TenantSessions, timeZone: string) =>
  new ApprovalService(records, sessions, timeZone);
