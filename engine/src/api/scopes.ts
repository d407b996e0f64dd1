import { Router, type RequestHandler } from 'express';
import { DomainError } from '../core/errors.js';
import type { Principal, TokenScope } from '../tenancy/tenants.js';

/**
 * What a route needs from its caller, declared on the route itself:
 * - `read`, `write`, `admin`: a token scope (sessions and unscoped tokens have them all);
 *   `admin` also needs a tenant administrator;
 * - `any`: any signed-in caller (who am I);
 * - `user`: the user's full power, i.e. a session or an unscoped token, never a scoped token
 *   (making tokens, changing the password);
 * - `session`: a password sign-in session only (refresh, logout);
 * - `platform`: the platform administrator's token (never a tenant's);
 * - `public`: no caller at all (sign-in).
 */
export type Need = TokenScope | 'any' | 'user' | 'session' | 'platform' | 'public';

/** The marker a route's scope middleware carries, so tests and tools read a route's declared need. */
export const SCOPE = Symbol('tessera.scope');
export type ScopeMiddleware = RequestHandler & { [SCOPE]: Need };

/** Where the authenticators leave the caller until a route's scope has been checked. */
const UNCHECKED = 'unscopedPrincipal';
const PLATFORM = 'platformAdmin';

export const setCaller = (locals: Record<string, unknown>, p: Principal) => {
  locals[UNCHECKED] = p;
};
export const setPlatformCaller = (locals: Record<string, unknown>) => {
  locals[PLATFORM] = true;
};

/** An API token asked to act as a session (refresh, logout): how to end a token instead. */
export const sessionOnly = () =>
  new DomainError(403, 'SESSION_ONLY', { revoke: 'DELETE /api/v1/tokens/{id}' });

/** Whether `p` may use a route that needs `need` (403 code, or null when it may). */
export function refusal(p: Principal, need: Exclude<Need, 'public' | 'platform'>): DomainError | null {
  if (need === 'any') return null;
  if (need === 'session') return p.kind === 'session' ? null : sessionOnly();
  if (need === 'user') return p.scopes ? new DomainError(403, 'SCOPED_TOKEN_REFUSED') : null;
  if (p.scopes && !p.scopes.includes(need)) return new DomainError(403, 'TOKEN_SCOPE', { scope: need });
  if (need === 'admin' && !p.isAdmin) return new DomainError(403, 'FORBIDDEN');
  return null;
}

/**
 * Declares what a route needs and checks it. Only this middleware hands the caller to the route
 * (`principalOf` throws before it ran), so a route that declares nothing cannot act for anyone.
 */
export function scope(need: Need): ScopeMiddleware {
  const mw: RequestHandler = (_req, res, next) => {
    if (need === 'platform') {
      if (res.locals[PLATFORM] !== true) throw new DomainError(401, 'UNAUTHENTICATED');
    } else if (need !== 'public') {
      const p = res.locals[UNCHECKED] as Principal | undefined;
      if (!p) throw new DomainError(401, 'UNAUTHENTICATED');
      const no = refusal(p, need);
      if (no) throw no;
      res.locals.principal = p;
    }
    next();
  };
  return Object.assign(mw, { [SCOPE]: need });
}

/**
 * Every router of the API: paths match case-sensitively and exactly (`/Users` and `/users/` are
 * not `/users`), so what a scope was declared on is what a request reaches.
 */
export const apiRouter = () => Router({ caseSensitive: true, strict: true });
export type ApiRouter = ReturnType<typeof apiRouter>;
