import { existsSync } from 'node:fs';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { apiSecurityHeaders, securityHeaders } from './headers.js';
import { DomainError } from '../core/errors.js';
import type { RecordsService } from '../records/service.js';
import type { MetaService } from '../tenancy/meta-service.js';
import type { ModelCache } from '../tenancy/model-cache.js';
import type { TenantStore } from '../tenancy/tenants.js';
import { createAuthenticator } from './auth.js';
import type { Revocations } from '../tenancy/revocations.js';
import { readAudit } from '../db/audit.js';
import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import { principalOf } from './context.js';
import { guardRequest, JSON_TYPES, verifyUtf8 } from './json-depth.js';
import { apiRouter, scope } from './scopes.js';
import { routeTable } from './route-table.js';
import { policyFor } from '../security/policy.js';
import { visibilityKey } from '../security/visible-model.js';
import { tokensRouter } from './routes/tokens.js';
import { platformRouter } from './routes/platform.js';
import type { PackageDef } from '../core/model.js';
import type { ApiTokens } from '../tenancy/api-tokens.js';
import { openApiFor } from './openapi.js';
import { errorHandler, sendProblem } from './problem.js';
import { dataRouter } from './routes/data.js';
import { metaRouter } from './routes/meta.js';
import { authRouter } from './routes/auth.js';
import type { Sessions } from '../tenancy/sessions.js';
import type { Users } from '../tenancy/users.js';
import { usersRouter } from './routes/users.js';
import { jobsRouter } from './routes/jobs.js';
import type { Jobs } from '../jobs/jobs.js';
import {
  approvalFlowsMetaRouter,
  approvalsRouter,
  notificationsRouter,
  recordApprovalsRouter,
} from './routes/approvals.js';
import type { ApprovalService } from '../processes/approvals/index.js';
import type { TenantSessions } from '../db/tenant-sessions.js';
import { recordStagesRouter, stagesRouter } from './routes/stages.js';
import type { StageService } from '../processes/index.js';
import { searchRouter } from './routes/search.js';
import type { Recomputations } from '../rule-steps/index.js';
import { healthRouter, type Readiness } from './health.js';
import { assignRequestId, requestLogger } from './request-log.js';

export interface AppDeps {
  tenants: TenantStore;
  models: ModelCache;
  records: RecordsService;
  approvals: ApprovalService;
  /** Tenant sessions (reads of approvals and notifications under the tenant's role). */
  tenantSessions: TenantSessions;
  stages: StageService;
  meta: MetaService;
  /** Background recomputes of roll-ups and formulas (POST /meta/recompute). */
  recomputations: Recomputations;
  sessions: Sessions;
  users: Users;
  tokens: ApiTokens;
  /** Ended sessions and tokens, told to every engine process. */
  revocations: Revocations;
  jobs: Jobs;
  /** SHA-256 hashes of the platform administrators' tokens. */
  platformTokenHashes: () => ReadonlySet<string>;
  standardPackage: () => PackageDef;
  db: Knex;
  platform: Ident;
  /** Folder of the built studio, served at / when present. */
  studioDir?: string;
  /** `/ready` walks these checks. */
  readiness: Readiness;
  /** One line per request, and errors with their stacks. */
  logger: Logger;
}

export function createApp(d: AppDeps): Express {
  const app = express();
  // Paths match exactly as declared: each route's declared scope is what a request reaches.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(assignRequestId);
  const logRequests = requestLogger(d.logger);
  if (logRequests) app.use(logRequests);
  // Bodies: JSON only (415), UTF-8 only (400), bounded in size and depth, no NUL anywhere.
  const json = (limit: string) => express.json({ limit, strict: true, type: JSON_TYPES, verify: verifyUtf8 });
  const guard = guardRequest(json('1mb'));
  const auth = createAuthenticator(d.tenants, d.revocations);
  const notFound: RequestHandler = (req, res) =>
    sendProblem(req, res, new DomainError(404, 'ROUTE_NOT_FOUND', { path: req.originalUrl.split('?')[0] }));

  // The records API carries most of the traffic: its routes are found in one lookup (a route
  // table, not express's walk over routers and layers), each behind the same short prelude: the
  // API's headers, the request guard (batches may carry 8 MB: up to 1,000 records) and the caller.
  // A request that matches none of them passes on to the rest of the API, whose 404 answers it.
  const bigGuard = guardRequest(json('8mb'));
  const records = routeTable('/api/v1/data', (path) => [
    apiSecurityHeaders,
    path.endsWith('/batch') ? bigGuard : guard,
    auth.middleware,
  ]);
  const approvals = { approvals: d.approvals, models: d.models, sessions: d.tenantSessions };
  dataRouter(d.records, d.models, records);
  recordApprovalsRouter(approvals, records);
  recordStagesRouter(d.stages, d.models, records);

  const api = apiRouter();
  api.use(apiSecurityHeaders);
  api.use('/meta', json('8mb')); // packages: a tenant's whole metadata
  api.use(guard);
  api.use('/platform', platformRouter(d.tenants, d.platformTokenHashes, d.standardPackage));
  api.use('/auth', authRouter(d.sessions, auth.middleware, auth.evict, auth.evictUser));
  api.use(auth.middleware);
  api.use('/tokens', tokensRouter(d.tokens, auth.evictTokenId));
  api.get('/openapi.json', scope('read'), async (_req, res) => {
    const p = principalOf(res);
    const model = await d.models.get(p.tenant.id);
    const subject = { userId: p.userId, isAdmin: p.isAdmin, role: p.role, profile: p.profile };
    const access = policyFor(model, subject, p.tenant.schema);
    res
      .setHeader('Cache-Control', 'private, no-cache')
      .setHeader('Vary', 'Authorization')
      .json(openApiFor(model, access, visibilityKey(subject), p.tenant.name));
  });
  api.get('/me', scope('any'), (_req, res) => {
    const p = principalOf(res);
    res.json({
      data: { tenant: { slug: p.tenant.slug, name: p.tenant.name }, userId: p.userId, isAdmin: p.isAdmin },
    });
  });
  api.use('/stages', stagesRouter(d.stages, d.models));
  api.use('/approvals', approvalsRouter(approvals));
  api.use('/notifications', notificationsRouter(approvals));
  api.use('/meta/approval-flows', approvalFlowsMetaRouter(approvals));
  api.use('/meta', metaRouter(d.meta, d.models, d.recomputations));
  api.use('/users', usersRouter(d.users, d.models, auth.evictUser));
  api.use('/jobs', jobsRouter(d.jobs, d.db, d.platform));
  api.use('/search', searchRouter(d.records, d.models));
  api.get('/audit', scope('admin'), async (_req, res) => {
    const p = principalOf(res);
    res.json({ data: await readAudit(d.db, d.platform, p.tenant.id) });
  });
  api.use(notFound);
  // The API first: its requests pass no other router (each one walked costs every request).
  app.use(records.handle);
  app.use('/api/v1', api);
  app.use(securityHeaders);
  app.use(healthRouter(d.readiness));
  if (d.studioDir && existsSync(d.studioDir)) {
    app.use(express.static(d.studioDir, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!api(\/|$))/i, (_req, res) => res.sendFile('index.html', { root: d.studioDir }));
  }
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
