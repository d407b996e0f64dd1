import type { Ident } from '../core/ident.js';

/**
 * Names of the engine's own tables. In a tenant schema they start with `_`, which an api name
 * can never take; in the platform schema they sit beside nothing user-made.
 */
export const USERS = '_users' as Ident;
export const OUTBOX = '_outbox' as Ident;
export const SEQUENCES = '_sequences' as Ident;
export const RECORD_SHARES = '_record_shares' as Ident;
export const FIELD_HISTORY = '_field_history' as Ident;
export const STAGE_HISTORY = '_stage_history' as Ident;
/** Approvals (processes/approvals) and the in-app notification store (processes/notifications). */
export const APPROVAL_REQUESTS = '_approval_requests' as Ident;
export const APPROVAL_TASKS = '_approval_tasks' as Ident;
export const APPROVAL_DECISIONS = '_approval_decisions' as Ident;
export const NOTIFICATIONS = '_notifications' as Ident;

export const JOBS = 'jobs' as Ident;
export const JOB_SCHEDULES = 'job_schedules' as Ident;
export const TENANTS = 'tenants' as Ident;
export const LOGIN_ATTEMPTS = 'login_attempts' as Ident;
