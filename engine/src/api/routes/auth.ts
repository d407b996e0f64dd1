import { Router, type RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import type { Sessions } from '../../tenancy/sessions.js';
import { bearerToken } from '../auth.js';
import { principalOf } from '../context.js';

const str = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;

/** /api/v1/auth: password sign-in, refresh, logout, password change. */
export function authRouter(
  sessions: Sessions,
  authenticate: RequestHandler,
  evict: (token: string) => void,
  evictUser: (userId: string) => void,
): Router {
  const r = Router();
  r.post('/login', async (req, res) => {
    const b = (req.body ?? {}) as { tenant?: unknown; username?: unknown; password?: unknown };
    const issues = (['tenant', 'username', 'password'] as const)
      .filter((k) => !str(b[k], k === 'password' ? 200 : 100))
      .map((k) => ({ pointer: `/${k}`, code: 'REQUIRED' }));
    if (issues.length) throw new DomainError(422, 'VALIDATION_FAILED', {}, issues);
    const session = await sessions.login(
      b.tenant as string,
      b.username as string,
      b.password as string,
      req.ip ?? req.socket.remoteAddress ?? '',
    );
    res.json({ data: session });
  });
  r.post('/refresh', authenticate, async (req, res) => {
    const token = bearerToken(req)!;
    const session = await sessions.refresh(principalOf(res), token);
    evict(token);
    res.json({ data: session });
  });
  r.post('/logout', authenticate, async (req, res) => {
    const token = bearerToken(req)!;
    await sessions.revoke(token, principalOf(res));
    evict(token);
    res.status(204).end();
  });
  r.post('/password', authenticate, async (req, res) => {
    const b = (req.body ?? {}) as { currentPassword?: unknown; newPassword?: unknown };
    if (!str(b.currentPassword, 200) || typeof b.newPassword !== 'string' || b.newPassword.length > 200)
      throw new DomainError(422, 'VALIDATION_FAILED', {}, [
        { pointer: str(b.currentPassword, 200) ? '/newPassword' : '/currentPassword', code: 'REQUIRED' },
      ]);
    const p = principalOf(res);
    await sessions.changePassword(p, bearerToken(req)!, b.currentPassword as string, b.newPassword);
    evictUser(p.userId);
    res.status(204).end();
  });
  return r;
}
