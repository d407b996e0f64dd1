import type { Knex } from 'knex';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { Ident } from '../core/ident.js';
import { writeAudit } from '../db/audit.js';
import type { CompiledModel } from '../metadata/compile.js';
import { USERS } from '../schema-sync/ddl.js';
import { MIN_PASSWORD_LENGTH, hashPassword } from './passwords.js';
import type { Tenant } from './tenants.js';

export interface NewUser {
  username: string;
  displayName: string;
  email?: string;
  password?: string;
  role?: string | null;
  profile?: string | null;
  isAdmin?: boolean;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const COLUMNS = ['id', 'username', 'display_name', 'email', 'role', 'profile', 'is_admin', 'active', 'created_at'];

/** A tenant's users: data, not metadata. Their role and profile must exist in the deployed package. */
export class Users {
  constructor(
    private knex: Knex,
    private platform: Ident,
  ) {}

  list(tenant: Tenant) {
    return this.knex.withSchema(tenant.schema).table(USERS).select(COLUMNS).orderBy('username');
  }

  async create(tenant: Tenant, model: CompiledModel, u: NewUser, actor: string | null = null) {
    const issues: FieldIssue[] = [];
    if (typeof u.username !== 'string' || !USERNAME.test(u.username)) issues.push({ pointer: '/username', code: 'BAD_FORMAT', params: { format: USERNAME.source } });
    if (typeof u.displayName !== 'string' || !u.displayName.trim() || u.displayName.length > 100) issues.push({ pointer: '/displayName', code: 'REQUIRED' });
    if (u.password !== undefined && (typeof u.password !== 'string' || u.password.length < MIN_PASSWORD_LENGTH))
      issues.push({ pointer: '/password', code: 'WEAK_PASSWORD', params: { min: MIN_PASSWORD_LENGTH } });
    if (u.role != null && !(model.pkg.roles ?? []).some((r) => r.name === u.role)) issues.push({ pointer: '/role', code: 'META_UNKNOWN_ROLE', params: { role: u.role } });
    if (u.profile != null && !(model.pkg.profiles ?? []).some((p) => p.name === u.profile))
      issues.push({ pointer: '/profile', code: 'NOT_AN_OPTION', params: { value: u.profile } });
    if (issues.length) throw new DomainError(422, 'VALIDATION_FAILED', {}, issues);
    const [row] = await this.knex
      .withSchema(tenant.schema)
      .table(USERS)
      .insert({
        username: u.username,
        display_name: u.displayName,
        email: u.email ?? null,
        password_hash: u.password ? await hashPassword(u.password) : null,
        role: u.role ?? null,
        profile: u.profile ?? null,
        is_admin: !!u.isAdmin,
      })
      .returning(COLUMNS);
    await writeAudit(this.knex, this.platform, { tenantId: tenant.id, actor, action: 'user.created', detail: { username: u.username, role: u.role ?? null, profile: u.profile ?? null, isAdmin: !!u.isAdmin } });
    return row as Record<string, unknown>;
  }
}
