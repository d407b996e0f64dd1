import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { DomainError, type FieldIssue } from '../core/errors.js';
import type { Ident } from '../core/ident.js';
import { writeAudit } from '../db/audit.js';
import { TOKEN_SCOPES, hashToken, type Principal, type TokenScope } from './tenants.js';

export interface NewToken {
  label?: unknown;
  scopes?: unknown;
  expiresInDays?: unknown;
}

/** Integration tokens: each user makes their own, limited in scope and time, never wider than themselves. */
export class ApiTokens {
  constructor(
    private knex: Knex,
    private platform: Ident,
  ) {}

  private table = () => this.knex.withSchema(this.platform).table('api_tokens');

  async create(p: Principal, t: NewToken) {
    const issues: FieldIssue[] = [];
    if (typeof t.label !== 'string' || !t.label.trim() || t.label.length > 100)
      issues.push({ pointer: '/label', code: 'REQUIRED' });
    const scopes = t.scopes ?? ['read'];
    if (
      !Array.isArray(scopes) ||
      !scopes.length ||
      !scopes.every((x) => (TOKEN_SCOPES as readonly unknown[]).includes(x))
    )
      issues.push({ pointer: '/scopes', code: 'NOT_AN_OPTION', params: { value: JSON.stringify(scopes) } });
    const days = t.expiresInDays ?? 90;
    if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > 365)
      issues.push({ pointer: '/expiresInDays', code: 'TOO_LARGE', params: { limit: 365 } });
    if (issues.length) throw new DomainError(422, 'VALIDATION_FAILED', {}, issues);
    // A token cannot be wider than the one that creates it.
    const granted = (scopes as TokenScope[]).filter(
      (s) => (p.scopes ?? TOKEN_SCOPES).includes(s) && (s !== 'admin' || p.isAdmin),
    );
    if (granted.length !== (scopes as unknown[]).length) throw new DomainError(403, 'FORBIDDEN');
    const token = `tsr_${randomBytes(24).toString('base64url')}`;
    const hash = hashToken(token);
    const expires = new Date(Date.now() + (days as number) * 86_400_000);
    await this.table().insert({
      token_hash: hash,
      tenant_id: p.tenant.id,
      user_id: p.userId,
      label: t.label,
      scopes: granted,
      expires_at: expires,
    });
    await writeAudit(this.knex, this.platform, {
      tenantId: p.tenant.id,
      actor: p.userId,
      action: 'token.created',
      detail: { label: t.label, scopes: granted },
    });
    return {
      id: hash.slice(0, 16),
      token,
      label: t.label as string,
      scopes: granted,
      expires_at: expires.toISOString(),
    };
  }

  async list(p: Principal) {
    const rows = (await this.table()
      .where({ tenant_id: p.tenant.id, user_id: p.userId })
      .whereNot({ label: 'session' })
      .select('token_hash', 'label', 'scopes', 'created_at', 'expires_at')) as Record<string, unknown>[];
    return rows.map(({ token_hash, ...r }) => ({ id: (token_hash as string).slice(0, 16), ...r }));
  }

  async revoke(p: Principal, id: string) {
    if (!/^[0-9a-f]{16}$/.test(id)) throw new DomainError(404, 'NOT_FOUND');
    const n = await this.table()
      .where({ tenant_id: p.tenant.id, user_id: p.userId })
      .whereRaw('left(??, 16) = ?', ['token_hash', id])
      .delete();
    if (!n) throw new DomainError(404, 'NOT_FOUND');
  }
}
