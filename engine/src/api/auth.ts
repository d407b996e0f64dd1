import type { Socket } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { DomainError } from '../core/errors.js';
import type { Revocations } from '../tenancy/revocations.js';
import { hashToken, type Principal, type TenantStore } from '../tenancy/tenants.js';
import { setCaller } from './scopes.js';

const TOKEN_TTL_MS = 30_000;

export const bearerToken = (req: Request) =>
  /^Bearer\s+(\S{8,200})$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;

/**
 * Bearer token (API token or session) → principal (tenant, user). Resolved tokens are cached
 * briefly so the hot path makes no extra query; a logout, revoke or suspension evicts at once, in
 * this process and (through Revocations' NOTIFY) in every other engine process on the server.
 */
export function createAuthenticator(tenants: TenantStore, revocations: Revocations) {
  const cache = new Map<string, { p: Principal; at: number }>();
  // The last token seen on each connection and its hash: a client sends the same token on every
  // request of a kept-alive connection, so the SHA-256 (~2 µs) is computed once per connection.
  const hashed = new WeakMap<Socket, { token: string; key: string }>();
  const keyOf = (req: Request, token: string) => {
    const last = hashed.get(req.socket);
    if (last?.token === token) return last.key;
    const key = hashToken(token);
    hashed.set(req.socket, { token, key });
    return key;
  };
  // Bumped by every revocation: a lookup that began before one may have read the revoked row.
  let revoked = 0;
  /** The token's principal from the database (401 when none), cached unless revoked meanwhile. */
  async function lookUp(token: string, key: string): Promise<Principal> {
    const seen = revoked;
    const p = await tenants.principalForToken(token);
    if (!p) {
      cache.delete(key);
      throw new DomainError(401, 'UNAUTHENTICATED');
    }
    if (cache.size > 10_000) cache.clear();
    if (seen === revoked) cache.set(key, { p, at: Date.now() });
    return p;
  }
  // The route's declared scope (api/scopes.ts) decides whether this caller may use it.
  const middleware: RequestHandler = (req, res, next) => {
    const token = bearerToken(req);
    if (!token) throw new DomainError(401, 'UNAUTHENTICATED');
    const key = keyOf(req, token);
    const hit = cache.get(key);
    // A fresh hit (nearly every request) is answered synchronously: no promise to settle.
    if (hit && Date.now() - hit.at <= TOKEN_TTL_MS) {
      setCaller(res.locals, hit.p);
      return next();
    }
    return lookUp(token, key).then((p) => {
      setCaller(res.locals, p);
      next();
    });
  };
  revocations.subscribe((r) => {
    revoked++;
    if (r.kind === 'all') cache.clear();
    else if (r.kind === 'user') {
      for (const [k, v] of cache) if (v.p.userId === r.userId) cache.delete(k);
    } else for (const k of cache.keys()) if (k.startsWith(r.prefix)) cache.delete(k);
  });
  return {
    middleware,
    evict: (token: string) => revocations.publish({ kind: 'token', prefix: hashToken(token) }),
    evictUser: (userId: string) => revocations.publish({ kind: 'user', userId }),
    /** An API token revoked by its id (the first 16 hex digits of its hash). */
    evictTokenId: (id: string) => revocations.publish({ kind: 'token', prefix: id }),
  };
}
