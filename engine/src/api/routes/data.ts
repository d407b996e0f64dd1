import { text as msg } from '../../core/messages.js';
import type { Request, Response } from 'express';
import { badRequest } from '../../core/errors.js';
import type { RecordsService, Scope } from '../../records/service.js';
import type { ModelCache } from '../../tenancy/model-cache.js';
import { dbRoleOf } from '../../tenancy/tenants.js';
import { policyFor } from '../../security/policy.js';
import { principalOf } from '../context.js';
import { scope as need } from '../scopes.js';
import type { Routes } from '../route-table.js';
import {
  idParam,
  ifMatch,
  ifNoneMatch,
  intParam,
  listParam,
  parseJsonParam,
  strictQuery,
  sendJson,
} from '../http-helpers.js';

const LIST_PARAMS = ['filter', 'sort', 'limit', 'cursor', 'fields', 'expand', 'search', 'locale'] as const;
const GET_PARAMS = ['fields', 'expand', 'locale'] as const;
const WRITE_PARAMS = ['locale'] as const;

/** The records Scope of the signed-in caller: their tenant, model version and access policy. */
export function scopeFor(models: ModelCache) {
  return async (res: Response): Promise<Scope> => {
    const p = principalOf(res);
    const model = await models.get(p.tenant.id);
    const access = policyFor(
      model,
      { userId: p.userId, isAdmin: p.isAdmin, role: p.role, profile: p.profile },
      p.tenant.schema,
    );
    return {
      tenantId: p.tenant.id,
      schema: p.tenant.schema,
      actor: p.userId,
      model,
      access,
      dbRole: dbRoleOf(p.tenant),
    };
  };
}

/** /api/v1/data/{object}: the generic records API over every object of the tenant (app.ts: on its route table). */
export function dataRouter(records: RecordsService, models: ModelCache, r: Routes): void {
  const scope = scopeFor(models);
  const object = (req: Request) => String(req.params.object);

  r.get('/:object', need('read'), async (req, res) => {
    const q = strictQuery(req, LIST_PARAMS);
    const page = await records.list(await scope(res), object(req), {
      filter: parseJsonParam('filter', q.filter),
      sort: q.sort,
      limit: intParam('limit', q.limit),
      cursor: q.cursor,
      fields: listParam(q.fields),
      expand: listParam(q.expand),
      search: q.search,
    });
    if (page.meta.next_cursor) {
      const url = new URL(req.originalUrl, 'http://x');
      url.searchParams.set('cursor', page.meta.next_cursor);
      res.setHeader('Link', `<${url.pathname}${url.search}>; rel="next"`);
    }
    sendJson(res, page);
  });

  r.post('/:object', need('write'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    const { record, tag } = await records.create(await scope(res), object(req), req.body);
    res
      .status(201)
      .setHeader('ETag', tag!)
      .setHeader('Location', `${req.baseUrl}/${object(req)}/${String(record!.id)}`);
    sendJson(res, { data: record });
  });

  // Its body (up to 8 MB) is read by the stack in app.ts, before the 1 MB guard.
  r.post('/:object/batch', need('write'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    const body = req.body as { operations?: unknown; records?: unknown };
    const ops = Array.isArray(body?.operations)
      ? body.operations
      : Array.isArray(body?.records)
        ? body.records.map((data: unknown) => ({ op: 'create', data }))
        : null;
    if (!ops) throw badRequest('BAD_REQUEST', { reason: msg('R_BATCH_SHAPE') });
    const dataAt = Array.isArray(body?.operations) ? undefined : (i: number) => `/records/${i}`;
    const results = await records.batch(await scope(res), object(req), ops, dataAt);
    sendJson(res, { data: results.map((x) => x.record), meta: { count: results.length } });
  });

  /** Batch owner transfer: `{"ids": [...], "owner": "<user id>"}`, all or none. */
  r.post('/:object/transfer', need('write'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    const body = (req.body ?? {}) as { ids?: unknown; owner?: unknown };
    const results = await records.transfer(await scope(res), object(req), body.ids, body.owner);
    sendJson(res, { data: results.map((x) => x.record), meta: { count: results.length } });
  });

  r.post('/:object/aggregate', need('read'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    sendJson(res, { data: await records.aggregate(await scope(res), object(req), req.body) });
  });

  r.get('/:object/:id', need('read'), async (req, res) => {
    const q = strictQuery(req, GET_PARAMS);
    const { record, tag } = await records.get(
      await scope(res),
      object(req),
      idParam(req, 'id'),
      listParam(q.fields),
      listParam(q.expand),
    );
    if (ifNoneMatch(req, tag)) return void res.status(304).setHeader('ETag', tag).end();
    sendJson(res.setHeader('ETag', tag), { data: record });
  });

  r.get('/:object/:id/history', need('read'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    sendJson(res, { data: await records.history(await scope(res), object(req), idParam(req, 'id')) });
  });

  r.get('/:object/:id/team', need('read'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    sendJson(res, { data: await records.team(await scope(res), object(req), idParam(req, 'id')) });
  });

  r.put('/:object/:id/team/:userId', need('write'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    const body = (req.body ?? {}) as { access?: unknown };
    await records.setTeamMember(
      await scope(res),
      object(req),
      idParam(req, 'id'),
      idParam(req, 'userId'),
      body.access,
    );
    res.status(204).end();
  });

  r.delete('/:object/:id/team/:userId', need('write'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    await records.removeTeamMember(await scope(res), object(req), idParam(req, 'id'), idParam(req, 'userId'));
    res.status(204).end();
  });

  r.patch('/:object/:id', need('write'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    const { record, tag } = await records.update(
      await scope(res),
      object(req),
      idParam(req, 'id'),
      req.body,
      ifMatch(req),
    );
    sendJson(res.setHeader('ETag', tag!), { data: record });
  });

  r.delete('/:object/:id', need('write'), async (req, res) => {
    strictQuery(req, WRITE_PARAMS);
    await records.delete(await scope(res), object(req), idParam(req, 'id'), ifMatch(req));
    res.status(204).end();
  });
}
