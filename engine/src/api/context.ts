import type { Response } from 'express';
import { DomainError } from '../core/errors.js';
import type { Principal } from '../tenancy/tenants.js';

/**
 * The caller, once the route's declared scope has been checked (api/scopes.ts). A route that
 * declares no scope has no caller: fail closed.
 */
export function principalOf(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new DomainError(403, 'SCOPE_UNDECLARED');
  return p;
}
