import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import type { Sessions } from '../../tenancy/sessions.js';
import { bearerToken } from '../auth.js';
import { principalOf } from '../context.js';
import { apiRouter, type ApiRouter, scope } from '../scopes.js';

const str = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * /api/v1/auth: password sign-in, refresh, logout, password change. Refresh and logout are for
 * sign-in sessions only: an API token is revoked with DELETE /tokens/{id}, never turned into a
 * session; a scoped token cannot change the password.
 */
export function authRouter(
  sessions: Sessions,
  authenticate: RequestHandler,
  evict: (token: string) => Promise<void>,
  evictUser: (userId: string) => Promise<void>,
): ApiRouter {
  const r = apiRouter();
  const ip = (req: Parameters<RequestHandler>[0]) => req.ip ?? req.socket.remoteAddress ?? '';
  r.post('/login', scope('public'), async (req, res) => {
    const b = (req.body ?? {}) as { tenant?: unknown; username?: unknown; password?: unknown };
    const issues = (['tenant', 'username', 'password'] as const)
      .filter((k) => !str(b[k], k === 'password' ? 200 : 100))
      .map((k) => ({ pointer: `/${k}`, code: 'REQUIRED' }));
    if (issues.length) throw new DomainError(422, 'VALIDATION_FAILED', {}, issues);
    const session = await sessions.login(
      b.tenant as string,
      b.username as string,
      b.password as string,
      ip(req),
    );
    res.json({ data: session });
  });
  r.post('/refresh', authenticate, scope('session'), async (req, res) => {
    const token = bearerToken(req)!;
    const session = await sessions.refresh(principalOf(res), token);
    await evict(token);
    res.json({ data: session });
  });
  r.post('/logout', authenticate, scope('session'), async (req, res) => {
    const token = bearerToken(req)!;
    await sessions.revoke(token, principalOf(res));
    await evict(token);
    res.status(204).end();
  });
  r.post('/password', authenticate, scope('user'), async (req, res) => {
    const b = (req.body ?? {}) as { currentPassword?: unknown; newPassword?: unknown };
    if (!str(b.currentPassword, 200) || typeof b.newPassword !== 'string' || b.newPassword.length > 200)
      throw new DomainError(422, 'VALIDATION_FAILED', {}, [
        { pointer: str(b.currentPassword, 200) ? '/newPassword' : '/currentPassword', code: 'REQUIRED' },
      ]);
    const p = principalOf(res);
    await sessions.changePassword(p, bearerToken(req)!, b.currentPassword as string, b.newPassword, ip(req));
    await evictUser(p.userId);
    res.status(204).end();
  });
  return r;
}
