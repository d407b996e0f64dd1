import { text } from '../core/messages.js';
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
const COLUMNS = [
  'id',
  'username',
  'display_name',
  'email',
  'role',
  'profile',
  'is_admin',
  'active',
  'created_at',
];

/** A tenant's users: data, not metadata. Their role and profile must exist in the deployed package. */
export class Users {
  constructor(
    private knex: Knex,
    private platform: Ident,
  ) {}

  list(tenant: Tenant) {
    return this.knex.withSchema(tenant.schema).table(USERS).select(COLUMNS).orderBy('username');
  }

  /**
   * Names only, for showing owners and picking users: no user name, email, role or flag. By
   * id (inactive users too: they may still own records), or active users whose display name
   * (or a word of it), user name or email starts with `prefix`.
   */
  async names(tenant: Tenant, by: { ids: string[] } | { prefix: string; limit: number }) {
    const q = this.knex
      .withSchema(tenant.schema)
      .table(USERS)
      .select('id', 'display_name', 'username')
      .orderBy([{ column: 'display_name' }, { column: 'id' }]);
    if ('ids' in by) q.whereIn('id', by.ids);
    else {
      const p = by.prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
      q.where('active', true).limit(by.limit);
      if (p)
        q.where((w) =>
          w
            .whereILike('display_name', `${p}%`)
            .orWhereILike('display_name', `% ${p}%`)
            .orWhereILike('username', `${p}%`)
            .orWhereILike('email', `${p}%`),
        );
    }
    const rows = (await q) as { id: string; display_name: string | null; username: string }[];
    return rows.map((r) => ({ id: r.id, name: r.display_name || r.username }));
  }

  /** Changes a user's display name, role, profile or active flag (inactive users cannot sign in). */
  async update(
    tenant: Tenant,
    model: CompiledModel,
    id: string,
    patch: Partial<Pick<NewUser, 'displayName' | 'role' | 'profile'>> & { active?: boolean },
    actor: string,
  ) {
    const issues: FieldIssue[] = [];
    const set: Record<string, unknown> = {};
    if (!patch || typeof patch !== 'object' || Array.isArray(patch))
      throw new DomainError(422, 'VALIDATION_FAILED', {}, [
        { pointer: '', code: 'WRONG_TYPE', params: { expected: text('T_OBJECT') } },
      ]);
    for (const key of Object.keys(patch))
      if (!['displayName', 'role', 'profile', 'active'].includes(key))
        issues.push({ pointer: `/${key}`, code: 'UNKNOWN_FIELD', params: { field: key } });
    if (patch.displayName !== undefined) {
      const d = patch.displayName;
      if (typeof d !== 'string' || !d.trim() || d.length > 100)
        issues.push({ pointer: '/displayName', code: 'REQUIRED' });
      set.display_name = d;
    }
    if (patch.active !== undefined) {
      if (typeof patch.active !== 'boolean')
        issues.push({ pointer: '/active', code: 'WRONG_TYPE', params: { expected: text('T_BOOLEAN') } });
      set.active = patch.active;
    }
    if (patch.role !== undefined) {
      if (patch.role !== null && !(model.pkg.roles ?? []).some((r) => r.name === patch.role))
        issues.push({ pointer: '/role', code: 'META_UNKNOWN_ROLE', params: { role: patch.role } });
      set.role = patch.role;
    }
    if (patch.profile !== undefined) {
      if (patch.profile !== null && !(model.pkg.profiles ?? []).some((p) => p.name === patch.profile))
        issues.push({ pointer: '/profile', code: 'NOT_AN_OPTION', params: { value: patch.profile } });
      set.profile = patch.profile;
    }
    if (issues.length) throw new DomainError(422, 'VALIDATION_FAILED', {}, issues);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new DomainError(404, 'NOT_FOUND');
    // Suspension ends every session and token of the user for good: reactivating them later must
    // not bring back a session or token that was out there (perhaps stolen) when they were stopped.
    if (!Object.keys(set).length) {
      const row = await this.knex.withSchema(tenant.schema).table(USERS).where({ id }).first(COLUMNS);
      if (!row) throw new DomainError(404, 'NOT_FOUND');
      return row as Record<string, unknown>;
    }
    return this.knex.transaction(async (trx) => {
      const [row] = await trx
        .withSchema(tenant.schema)
        .table(USERS)
        .where({ id })
        .update(set)
        .returning(COLUMNS);
      if (!row) throw new DomainError(404, 'NOT_FOUND');
      let revoked = 0;
      if (set.active === false)
        revoked = await trx
          .withSchema(this.platform)
          .table('api_tokens')
          .where({ tenant_id: tenant.id, user_id: id })
          .delete();
      await writeAudit(trx, this.platform, {
        tenantId: tenant.id,
        actor,
        action: 'user.changed',
        detail: { id, ...patch, ...(set.active === false ? { revokedTokens: revoked } : {}) },
      });
      return row as Record<string, unknown>;
    });
  }

  async create(tenant: Tenant, model: CompiledModel, u: NewUser, actor: string | null = null) {
    const issues: FieldIssue[] = [];
    if (typeof u.username !== 'string' || !USERNAME.test(u.username))
      issues.push({ pointer: '/username', code: 'BAD_FORMAT', params: { format: USERNAME.source } });
    if (typeof u.displayName !== 'string' || !u.displayName.trim() || u.displayName.length > 100)
      issues.push({ pointer: '/displayName', code: 'REQUIRED' });
    if (
      u.password !== undefined &&
      (typeof u.password !== 'string' || u.password.length < MIN_PASSWORD_LENGTH)
    )
      issues.push({ pointer: '/password', code: 'WEAK_PASSWORD', params: { min: MIN_PASSWORD_LENGTH } });
    if (u.role != null && !(model.pkg.roles ?? []).some((r) => r.name === u.role))
      issues.push({ pointer: '/role', code: 'META_UNKNOWN_ROLE', params: { role: u.role } });
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
    await writeAudit(this.knex, this.platform, {
      tenantId: tenant.id,
      actor,
      action: 'user.created',
      detail: {
        username: u.username,
        role: u.role ?? null,
        profile: u.profile ?? null,
        isAdmin: !!u.isAdmin,
      },
    });
    return row as Record<string, unknown>;
  }
}
