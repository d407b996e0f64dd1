import type { Request, RequestHandler } from 'express';
import { DomainError } from '../core/errors.js';
import { hashToken, type Principal, type TenantStore } from '../tenancy/tenants.js';
import { setCaller } from './scopes.js';

const TOKEN_TTL_MS = 30_000;

export const bearerToken = (req: Request) =>
  /^Bearer\s+(\S{8,200})$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;

/**
 * Bearer token (API token or session) → principal (tenant, user). Resolved tokens are cached
 * briefly so the hot path makes no extra query; logout evicts at once in this process.
 */
export function createAuthenticator(tenants: TenantStore) {
  const cache = new Map<string, { p: Principal; at: number }>();
  const middleware: RequestHandler = async (req, res, next) => {
    const token = bearerToken(req);
    if (!token) throw new DomainError(401, 'UNAUTHENTICATED');
    const key = hashToken(token);
    let hit = cache.get(key);
    if (!hit || Date.now() - hit.at > TOKEN_TTL_MS) {
      const p = await tenants.principalForToken(token);
      if (!p) {
        cache.delete(key);
        throw new DomainError(401, 'UNAUTHENTICATED');
      }
      hit = { p, at: Date.now() };
      if (cache.size > 10_000) cache.clear();
      cache.set(key, hit);
    }
    // The route's declared scope (api/scopes.ts) decides whether this caller may use it.
    setCaller(res.locals, hit.p);
    next();
  };
  const evictUser = (userId: string) => {
    for (const [k, v] of cache) if (v.p.userId === userId) cache.delete(k);
  };
  return { middleware, evict: (token: string) => cache.delete(hashToken(token)), evictUser };
}
