import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';

export type AuditAction =
  | 'login.succeeded'
  | 'login.failed'
  | 'logout'
  | 'password.changed'
  | 'password.failed'
  | 'sessions.revoked'
  | 'user.created'
  | 'user.changed'
  | 'token.created'
  | 'metadata.deployed'
  | 'metadata.rolled_back'
  | 'metadata.purged'
  | 'metadata.recomputed'
  | 'record.owner_transferred'
  | 'record.team_changed';

export interface AuditEntry {
  tenantId: string | null;
  actor: string | null;
  action: AuditAction;
  detail?: Record<string, unknown>;
  ip?: string;
  /** Who wrote: user (default), system, automation:<rule>, approval:<id>, import:<job>. */
  origin?: string;
}

/** Appends to the platform's audit log (logins, users, permission and metadata changes). */
export async function writeAudit(db: Knex | Knex.Transaction, platform: Ident, e: AuditEntry): Promise<void> {
  await db
    .withSchema(platform)
    .table('audit_log')
    .insert({
      tenant_id: e.tenantId,
      actor: e.actor,
      action: e.action,
      detail: e.detail ? JSON.stringify(e.detail) : null,
      ip: e.ip ?? null,
      origin: e.origin ?? 'user',
    });
}

export function readAudit(db: Knex, platform: Ident, tenantId: string, limit = 200) {
  return db
    .withSchema(platform)
    .table('audit_log')
    .where({ tenant_id: tenantId })
    .orderBy('seq', 'desc')
    .limit(limit)
    .select('seq', 'actor', 'action', 'origin', 'detail', 'ip', 'at');
}
