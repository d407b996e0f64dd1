import { fieldApprover, relatedFieldApprover } from './field.js';
import { managerApprover } from './manager.js';
import { profileApprover } from './profile.js';
import { registerApproverKind } from './registry.js';
import { roleApprover } from './role.js';
import { queueApprover } from './queue.js';
import { userApprover } from './user.js';

export * from './registry.js';

/** The built-in approver kinds (one file each). */
export function registerBuiltinApprovers(): void {
  for (const k of [
    userApprover,
    roleApprover,
    profileApprover,
    managerApprover,
    fieldApprover,
    relatedFieldApprover,
    queueApprover,
  ])
    registerApproverKind(k);
}
