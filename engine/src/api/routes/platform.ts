import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import type { PackageDef } from '../../core/model.js';
import type { TenantStore } from '../../tenancy/tenants.js';
import { hashToken } from '../../tenancy/tenants.js';
import { bearerToken } from '../auth.js';
import { apiRouter, type ApiRouter, scope, setPlatformCaller } from '../scopes.js';

/**
 * /api/v1/platform: the platform administrator creates and lists tenants. Platform admins
 * authenticate with a platform token (TESSERA_PLATFORM_TOKEN); tenant tokens never work here.
 */
export function platformRouter(
  tenants: TenantStore,
  platformTokenHashes: () => ReadonlySet<string>,
  standard: () => PackageDef,
): ApiRouter {
  const r = apiRouter();
  const platformAdmin: RequestHandler = (req, res, next) => {
    const token = bearerToken(req);
    if (!token || !platformTokenHashes().has(hashToken(token))) throw new DomainError(401, 'UNAUTHENTICATED');
    setPlatformCaller(res.locals);
    next();
  };
  r.use(platformAdmin);
  r.get('/tenants', scope('platform'), async (_req, res) => {
    res.json({ data: (await tenants.list()).map(({ id, slug, name }) => ({ id, slug, name })) });
  });
  r.post('/tenants', scope('platform'), async (req, res) => {
    const b = (req.body ?? {}) as { slug?: unknown; name?: unknown; adminPassword?: unknown };
    const issues = [];
    if (typeof b.slug !== 'string') issues.push({ pointer: '/slug', code: 'REQUIRED' });
    if (typeof b.name !== 'string' || !b.name.trim() || b.name.length > 100)
      issues.push({ pointer: '/name', code: 'REQUIRED' });
    if (b.adminPassword !== undefined && (typeof b.adminPassword !== 'string' || b.adminPassword.length < 8))
      issues.push({ pointer: '/adminPassword', code: 'WEAK_PASSWORD', params: { min: 8 } });
    if (issues.length) throw new DomainError(422, 'VALIDATION_FAILED', {}, issues);
    const { tenant, token } = await tenants.create({
      slug: b.slug as string,
      name: b.name as string,
      package: standard(),
      adminPassword: b.adminPassword as string | undefined,
    });
    res
      .status(201)
      .json({ data: { id: tenant.id, slug: tenant.slug, name: tenant.name, adminToken: token } });
  });
  // A platform token never falls through to the tenant routes.
  r.use((req) => {
    throw new DomainError(404, 'ROUTE_NOT_FOUND', { path: req.originalUrl.split('?')[0] });
  });
  return r;
}
