import type { RequestHandler } from 'express';
import { DomainError } from '../core/errors.js';
import { hashToken, type Principal, type TenantStore } from '../tenancy/tenants.js';

const TOKEN_TTL_MS = 30_000;

/**
 * Bearer token → principal (tenant, user). Until the security issue lands this is the whole of
 * authentication. Resolved tokens are cached briefly so the hot path makes no extra query.
 */
export function authenticate(tenants: TenantStore): RequestHandler {
  const cache = new Map<string, { p: Principal; at: number }>();
  return async (req, res, next) => {
    const m = /^Bearer\s+(\S{8,200})$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new DomainError(401, 'UNAUTHENTICATED');
    const key = hashToken(m[1]);
    let hit = cache.get(key);
    if (!hit || Date.now() - hit.at > TOKEN_TTL_MS) {
      const p = await tenants.principalForToken(m[1]);
      if (!p) {
        cache.delete(key);
        throw new DomainError(401, 'UNAUTHENTICATED');
      }
      hit = { p, at: Date.now() };
      if (cache.size > 10_000) cache.clear();
      cache.set(key, hit);
    }
    res.locals.principal = hit.p;
    next();
  };
}

export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (!(res.locals.principal as Principal).isAdmin) throw new DomainError(403, 'FORBIDDEN');
  next();
};
