import type { RequestHandler } from 'express';
import { DomainError } from '../core/errors.js';
import type { TokenScope } from '../tenancy/tenants.js';
import { principalOf } from './context.js';

/**
 * What a request needs from a scoped token: admin for metadata, users and audit (but read for the
 * visible model and user names); read or write for data.
 */
function needed(method: string, path: string): TokenScope | 'session' {
  if (path.startsWith('/tokens')) return 'session';
  // What every signed-in user reads to build screens: the visible model and users' names.
  if ((method === 'GET' || method === 'HEAD') && /^\/(meta\/objects|users\/lookup)\/?$/.test(path))
    return 'read';
  if (/^\/(meta|users|audit|jobs)(\/|$)/.test(path)) return 'admin';
  if (method === 'GET' || method === 'HEAD' || /^\/data\/[^/]+\/aggregate$/.test(path)) return 'read';
  return 'write';
}

/** Scoped API tokens reach only what their scopes name; sessions and unscoped tokens are not limited here. */
export const requireScope: RequestHandler = (req, res, next) => {
  const scopes = principalOf(res).scopes;
  if (scopes) {
    const need = needed(req.method, req.path);
    if (need === 'session' || !scopes.includes(need))
      throw new DomainError(403, 'TOKEN_SCOPE', { scope: need });
  }
  next();
};
