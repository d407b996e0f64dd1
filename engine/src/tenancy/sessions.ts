import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { DomainError } from '../core/errors.js';
import type { Ident } from '../core/ident.js';
import { writeAudit } from '../db/audit.js';
import { USERS } from '../schema-sync/ddl.js';
import { LoginLimiter } from './login-limiter.js';
import { MIN_PASSWORD_LENGTH, checkPassword, hashPassword } from './passwords.js';
import { SESSION_LABEL, hashToken, type Principal, type TenantStore, type TokenScope } from './tenants.js';

export const SESSION_HOURS = 12;

export interface Session {
  access_token: string;
  token_type: 'Bearer';
  expires_at: string;
}

/**
 * Password sign-in. A session is a bearer token with an expiry, stored hashed beside the API
 * tokens; refresh swaps it for a new one, logout deletes it. Wrong tenant, user or password all
 * get the same 401 in the same time; attempts are limited per account and per IP.
 */
export class Sessions {
  private perAccount: LoginLimiter;
  private perIp: LoginLimiter;
  /** Wrong current passwords on /auth/password, per user: a stolen session cannot guess on. */
  private passwordTries: LoginLimiter;
  constructor(
    private knex: Knex,
    private platform: Ident,
    private tenants: TenantStore,
  ) {
    this.perAccount = new LoginLimiter(knex, platform, 'account', 5, 15 * 60_000);
    this.perIp = new LoginLimiter(knex, platform, 'ip', 30, 60_000);
    this.passwordTries = new LoginLimiter(knex, platform, 'password', 5, 15 * 60_000);
  }

  async login(slug: string, username: string, password: string, ip: string): Promise<Session> {
    const account = `${slug}\u0000${username.toLowerCase()}`;
    const wait = Math.max(await this.perAccount.retryAfter(account), await this.perIp.retryAfter(ip));
    if (wait > 0)
      throw new DomainError(429, 'TOO_MANY_ATTEMPTS', { seconds: wait }, [], { retryAfter: wait });
    await this.perIp.record(ip);
    const tenant = await this.tenants.findBySlug(slug);
    const user = tenant
      ? await this.knex
          .withSchema(tenant.schema)
          .table(USERS)
          .where({ username, active: true })
          .first('id', 'password_hash')
      : undefined;
    const ok = await checkPassword(user?.password_hash as string | undefined, password);
    if (!ok || !tenant || !user) {
      await this.perAccount.record(account);
      await writeAudit(this.knex, this.platform, {
        tenantId: tenant?.id ?? null,
        actor: (user?.id as string) ?? null,
        action: 'login.failed',
        detail: { tenant: slug, username },
        ip,
      });
      throw new DomainError(401, 'LOGIN_FAILED');
    }
    await this.perAccount.reset(account);
    await writeAudit(this.knex, this.platform, {
      tenantId: tenant.id,
      actor: user.id as string,
      action: 'login.succeeded',
      ip,
    });
    return this.issue(tenant.id, user.id as string);
  }

  async issue(
    tenantId: string,
    userId: string,
    scopes: TokenScope[] | null = null,
    db: Knex = this.knex,
  ): Promise<Session> {
    const token = `tss_${randomBytes(32).toString('base64url')}`;
    const expires = new Date(Date.now() + SESSION_HOURS * 3600_000);
    await db
      .withSchema(this.platform)
      .table('api_tokens')
      .insert({
        token_hash: hashToken(token),
        tenant_id: tenantId,
        user_id: userId,
        label: SESSION_LABEL,
        scopes,
        expires_at: expires,
      });
    return { access_token: token, token_type: 'Bearer', expires_at: expires.toISOString() };
  }

  /** Sessions of a user, never API tokens (which have scopes, even when labelled "session"). */
  private sessionsOf(db: Knex, where: Record<string, string>) {
    return db
      .withSchema(this.platform)
      .table('api_tokens')
      .where({ ...where, label: SESSION_LABEL })
      .whereNull('scopes');
  }

  /**
   * A fresh session for a session's holder, with the same scopes; the presented one is retired in
   * the same transaction, so two refreshes of one session give one new session, not two.
   */
  async refresh(p: Principal, token: string): Promise<Session> {
    if (p.kind !== 'session')
      throw new DomainError(403, 'SESSION_ONLY', { revoke: 'DELETE /api/v1/tokens/{id}' });
    return this.knex.transaction(async (trx) => {
      const gone = await this.sessionsOf(trx, { token_hash: hashToken(token) }).delete();
      if (!gone) throw new DomainError(401, 'UNAUTHENTICATED');
      return this.issue(p.tenant.id, p.userId, p.scopes, trx);
    });
  }

  /** Ends the presented session (API tokens are revoked through /tokens, not here). */
  async revoke(token: string, p?: Principal) {
    await this.sessionsOf(this.knex, { token_hash: hashToken(token) }).delete();
    if (p)
      await writeAudit(this.knex, this.platform, {
        tenantId: p.tenant.id,
        actor: p.userId,
        action: 'logout',
      });
  }

  /** Changes the caller's password and ends every other session of theirs. */
  async changePassword(p: Principal, token: string, current: string, next: string, ip = '') {
    const account = `${p.tenant.id}\u0000${p.userId}`;
    const wait = await this.passwordTries.retryAfter(account);
    if (wait > 0)
      throw new DomainError(429, 'TOO_MANY_PASSWORD_ATTEMPTS', { seconds: wait }, [], { retryAfter: wait });
    if (next.length < MIN_PASSWORD_LENGTH)
      throw new DomainError(422, 'WEAK_PASSWORD', { min: MIN_PASSWORD_LENGTH }, [
        { pointer: '/newPassword', code: 'WEAK_PASSWORD', params: { min: MIN_PASSWORD_LENGTH } },
      ]);
    const user = await this.knex
      .withSchema(p.tenant.schema)
      .table(USERS)
      .where({ id: p.userId })
      .first('password_hash');
    if (!(await checkPassword(user?.password_hash as string | undefined, current))) {
      await this.passwordTries.record(account);
      await writeAudit(this.knex, this.platform, {
        tenantId: p.tenant.id,
        actor: p.userId,
        action: 'password.failed',
        ip,
      });
      throw new DomainError(401, 'LOGIN_FAILED');
    }
    await this.passwordTries.reset(account);
    const hashed = await hashPassword(next);
    await this.knex.transaction(async (trx) => {
      await trx
        .withSchema(p.tenant.schema)
        .table(USERS)
        .where({ id: p.userId })
        .update({ password_hash: hashed });
      await this.sessionsOf(trx, { user_id: p.userId, tenant_id: p.tenant.id })
        .whereNot({ token_hash: hashToken(token) })
        .delete();
      await writeAudit(trx, this.platform, {
        tenantId: p.tenant.id,
        actor: p.userId,
        action: 'password.changed',
        ip,
      });
    });
  }
}
