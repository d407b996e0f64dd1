import type { Response } from 'express';
import { badRequest } from '../../core/errors.js';
import {
  draftFlowScope,
  inbox,
  previewFlow,
  type ApprovalService,
  type Box,
  type Caller,
} from '../../processes/approvals/index.js';
import { listNotifications, markRead, unreadCount } from '../../processes/notifications/store.js';
import type { TenantSessions } from '../../db/tenant-sessions.js';
import { policyFor } from '../../security/policy.js';
import type { ModelCache } from '../../tenancy/model-cache.js';
import { dbRoleOf } from '../../tenancy/tenants.js';
import { principalOf } from '../context.js';
import { idParam, intParam, strictQuery } from '../http-helpers.js';
import { langOf } from '../problem.js';
import { isUuid } from '../../records/read.js';
import { apiRouter, scope, type ApiRouter } from '../scopes.js';
import type { Routes } from '../route-table.js';

const BOXES: Box[] = ['pending', 'done', 'submitted'];

export interface ApprovalRoutesDeps {
  approvals: ApprovalService;
  models: ModelCache;
  sessions: TenantSessions;
}

/** The caller as approvals see it: their records scope (policy of their profile) and admin flag. */
async function callerOf(res: Response, models: ModelCache): Promise<Caller> {
  const p = principalOf(res);
  const model = await models.get(p.tenant.id);
  const access = policyFor(
    model,
    { userId: p.userId, isAdmin: p.isAdmin, role: p.role, profile: p.profile },
    p.tenant.schema,
  );
  return {
    isAdmin: p.isAdmin,
    scope: {
      tenantId: p.tenant.id,
      schema: p.tenant.schema,
      actor: p.userId,
      model,
      access,
      dbRole: dbRoleOf(p.tenant),
    },
  };
}

/** /api/v1/data/{object}/{id}/approvals: submit (POST) and every round of the record (GET). */
export function recordApprovalsRouter(d: ApprovalRoutesDeps, r: Routes): void {
  r.get('/:object/:id/approvals', scope('read'), async (req, res) => {
    strictQuery(req, ['locale']);
    const c = await callerOf(res, d.models);
    res.json({ data: await d.approvals.history(c, String(req.params.object), idParam(req, 'id')) });
  });
  r.post('/:object/:id/approvals', scope('write'), async (req, res) => {
    strictQuery(req, ['locale']);
    const c = await callerOf(res, d.models);
    const view = await d.approvals.submit(c, String(req.params.object), idParam(req, 'id'), req.body);
    res.status(201).setHeader('Location', `/api/v1/approvals/${view.id}`).json({ data: view });
  });
}

/** /api/v1/approvals: the inbox, one request, decisions and recall. */
export function approvalsRouter(d: ApprovalRoutesDeps): ApiRouter {
  const r = apiRouter();
  r.get('/', scope('read'), async (req, res) => {
    const q = strictQuery(req, ['box', 'object', 'limit', 'cursor', 'locale']);
    const box = (q.box ?? 'pending') as Box;
    if (!BOXES.includes(box))
      throw badRequest('APPROVAL_BAD_BOX', { value: box, allowed: BOXES.join(', ') }, [
        { pointer: '/box', code: 'APPROVAL_BAD_BOX', params: { value: box, allowed: BOXES.join(', ') } },
      ]);
    const c = await callerOf(res, d.models);
    if (q.object !== undefined) d.approvals.objectOf(c, q.object);
    res.json(
      await d.sessions.read(c.scope.dbRole, (db) =>
        inbox(db, c.scope, box, { object: q.object, limit: intParam('limit', q.limit), cursor: q.cursor }),
      ),
    );
  });
  r.get('/:requestId', scope('read'), async (req, res) => {
    strictQuery(req, ['locale']);
    const c = await callerOf(res, d.models);
    res.json({ data: await d.approvals.view(c, idParam(req, 'requestId')) });
  });
  r.post('/:requestId/decisions', scope('write'), async (req, res) => {
    strictQuery(req, ['locale']);
    const c = await callerOf(res, d.models);
    res.json({ data: await d.approvals.decide(c, idParam(req, 'requestId'), req.body) });
  });
  r.post('/:requestId/recall', scope('write'), async (req, res) => {
    strictQuery(req, ['locale']);
    const c = await callerOf(res, d.models);
    res.json({ data: await d.approvals.recall(c, idParam(req, 'requestId'), req.body) });
  });
  return r;
}

/** /api/v1/meta/approval-flows/{name}/preview: the route a record would take, nothing changed. */
export function approvalFlowsMetaRouter(d: ApprovalRoutesDeps): ApiRouter {
  const r = apiRouter();
  r.post('/:name/preview', scope('admin'), async (req, res) => {
    strictQuery(req, ['locale']);
    const body = (req.body ?? {}) as { recordId?: unknown; flow?: unknown };
    if (typeof body.recordId !== 'string' || !isUuid(body.recordId))
      throw badRequest('BAD_ID', { parameter: 'recordId' }, [
        { pointer: '/recordId', code: 'BAD_ID', params: { parameter: 'recordId' } },
      ]);
    const name = String(req.params.name);
    const caller = await callerOf(res, d.models);
    // A draft from the flow editor replaces the deployed flow for this preview only.
    const c =
      body.flow === undefined ? caller : { ...caller, scope: draftFlowScope(caller.scope, name, body.flow) };
    const recordId = body.recordId;
    res.json({
      data: await d.sessions.read(c.scope.dbRole, (db) => previewFlow(d.approvals, db, c, name, recordId)),
    });
  });
  return r;
}

/** /api/v1/notifications: the caller's in-app notifications, unread first. */
export function notificationsRouter(d: ApprovalRoutesDeps): ApiRouter {
  const r = apiRouter();
  r.get('/', scope('read'), async (req, res) => {
    const q = strictQuery(req, ['limit', 'cursor', 'unread', 'locale']);
    const c = await callerOf(res, d.models);
    res.json(
      await d.sessions.read(c.scope.dbRole, (db) =>
        listNotifications(db, c.scope.schema, c.scope.actor, {
          limit: intParam('limit', q.limit),
          cursor: q.cursor,
          unread: q.unread === 'true',
          lang: langOf(req),
        }),
      ),
    );
  });
  r.get('/unread-count', scope('read'), async (req, res) => {
    strictQuery(req, ['locale']);
    const c = await callerOf(res, d.models);
    res.json({
      data: {
        unread: await d.sessions.read(c.scope.dbRole, (db) => unreadCount(db, c.scope.schema, c.scope.actor)),
      },
    });
  });
  r.post('/read', scope('write'), async (req, res) => {
    strictQuery(req, ['locale']);
    const body = (req.body ?? {}) as { ids?: unknown; all?: unknown };
    const all = body.all === true;
    const ids = body.ids;
    if (
      !all &&
      (!Array.isArray(ids) ||
        !ids.length ||
        ids.length > 500 ||
        !ids.every((x) => typeof x === 'string' && isUuid(x)))
    )
      throw badRequest('BAD_REQUEST', { reason: 'send {"ids": [notification ids]} or {"all": true}' });
    const c = await callerOf(res, d.models);
    const changed = await d.sessions.write(c.scope.dbRole, (db) =>
      markRead(db, c.scope.schema, c.scope.actor, all ? 'all' : (ids as string[])),
    );
    res.json({
      data: {
        marked: changed,
        unread: await d.sessions.read(c.scope.dbRole, (db) => unreadCount(db, c.scope.schema, c.scope.actor)),
      },
    });
  });
  return r;
}
