import type { EngineMigration } from './migration.js';
import { platformBaseline } from './platform-0001-baseline.js';
import { jobsTables } from './platform-0002-jobs.js';
import { auditOrigin } from './platform-0003-audit-origin.js';
import { loginAttempts } from './platform-0004-login-attempts.js';
import { tenantBaseline } from './tenant-0001-baseline.js';
import { originsAndStageHistory } from './tenant-0002-origins-stage-history.js';
import { userManager } from './tenant-0003-user-manager.js';
import { approvalTables } from './tenant-0004-approvals.js';
import { approvalCancelled } from './tenant-0005-approval-cancelled.js';

/**
 * THE lists of engine migrations, in order. A feature that needs an engine table adds one module
 * beside these and appends it here (docs/architecture.md, "Engine migrations").
 */
export const PLATFORM_MIGRATIONS: readonly EngineMigration[] = [
  platformBaseline,
  jobsTables,
  auditOrigin,
  // branch scale: sign-in attempts shared by every engine process.
  loginAttempts,
];
/** Run in every tenant's schema. */
export const TENANT_MIGRATIONS: readonly EngineMigration[] = [
  tenantBaseline,
  originsAndStageHistory,
  userManager,
  approvalTables,
  approvalCancelled,
];

export type { EngineMigration, MigrationContext } from './migration.js';
