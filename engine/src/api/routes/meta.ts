import { text as msg } from '../../core/messages.js';
import type { Request, Response } from 'express';
import { badRequest, notFound, renderIssues } from '../../core/errors.js';
import type { FieldDef, ObjectDef, VisibleModel } from '../../core/model.js';
import { FIELD_TYPE_NAMES, fieldType } from '../../fields/registry.js';
import { fieldDefinitionSchema } from '../../metadata/schemas.js';
import type { DeployResult } from '../../schema-sync/apply.js';
import { policyFor } from '../../security/policy.js';
import { visibilityKey, visibleModel } from '../../security/visible-model.js';
import type { MetaService } from '../../tenancy/meta-service.js';
import type { ModelCache } from '../../tenancy/model-cache.js';
import type { Recomputations } from '../../rule-steps/index.js';
import { principalOf } from '../context.js';
import { langOf } from '../problem.js';
import { apiRouter, type ApiRouter, scope } from '../scopes.js';
import { ifMatch, ifNoneMatch, metaEtag, strictQuery } from '../http-helpers.js';

const PARAMS = ['locale', 'dryRun'] as const;

interface DeployBody {
  package?: unknown;
  comment?: unknown;
  allowLossy?: unknown;
  /** Where records of removed stages go: [{pipeline, from, to}] (processes/stages/deploy.ts). */
  stageMoves?: unknown;
  expectPlan?: unknown;
  confirm?: unknown;
}

/** Metadata versions are Postgres integers counted from 1: anything else names no version (400). */
const MAX_VERSION = 2_147_483_647;
function versionParam(raw: string): number {
  const v = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!(v >= 1 && v <= MAX_VERSION))
    throw badRequest('BAD_REQUEST', { reason: msg('R_VERSION_NUMBER', { max: MAX_VERSION }) });
  return v;
}

const CONFIRM_KEY = /^retire:[a-z][a-z0-9_]{0,39}(\.[a-z][a-z0-9_]{0,39})?$/;

function options(req: Request, body: DeployBody) {
  const q = strictQuery(req, PARAMS);
  if (body.comment !== undefined && (typeof body.comment !== 'string' || body.comment.length > 500))
    throw badRequest('BAD_REQUEST', { reason: msg('R_COMMENT') });
  if (body.allowLossy !== undefined && typeof body.allowLossy !== 'boolean')
    throw badRequest('BAD_REQUEST', { reason: msg('R_ALLOW_LOSSY') });
  if (
    body.expectPlan !== undefined &&
    (typeof body.expectPlan !== 'string' || !/^[0-9a-f]{32}$/.test(body.expectPlan))
  )
    throw badRequest('BAD_REQUEST', { reason: msg('R_EXPECT_PLAN') });
  const confirm = body.confirm;
  if (
    confirm !== undefined &&
    (!Array.isArray(confirm) ||
      confirm.length > 1000 ||
      !confirm.every((c) => typeof c === 'string' && CONFIRM_KEY.test(c)))
  )
    throw badRequest('BAD_REQUEST', { reason: msg('R_CONFIRM') });
  return {
    comment: body.comment as string | undefined,
    allowLossy: body.allowLossy as boolean | undefined,
    stageMoves: body.stageMoves,
    expectPlan: body.expectPlan as string | undefined,
    confirm: confirm as string[] | undefined,
    dryRun: q.dryRun === 'true',
    expectedVersion: ifMatch(req),
  };
}

/** A deploy's answer: the plan (steps with their SQL) and what stops it, if anything. */
function sendDeploy(req: Request, res: Response, result: DeployResult) {
  res.setHeader('ETag', metaEtag(result.version));
  res.status(result.applied ? 201 : 200).json({
    data: {
      applied: result.applied,
      version: result.version,
      previousVersion: result.previousVersion,
      hash: result.hash,
      planHash: result.planHash,
      steps: result.steps,
      issues: result.issues,
      retired: result.retired,
      warnings: renderIssues(result.warnings, langOf(req)),
    },
  });
}

/** A visible model's JSON, serialised once: it is the same for everyone with one profile. */
const bodies = new WeakMap<VisibleModel, string>();
function bodyOf(v: VisibleModel): string {
  let b = bodies.get(v);
  if (b === undefined) bodies.set(v, (b = JSON.stringify({ data: v })));
  return b;
}

/**
 * /api/v1/meta: the tenant's metadata, its plan, deploy, history and rollback (admins only);
 * the field types and the objects the caller may see (every signed-in user).
 */
export function metaRouter(meta: MetaService, models: ModelCache, recomputations: Recomputations): ApiRouter {
  // Bodies up to 8 MB (a tenant's whole package): read by the API's stack in app.ts.
  const r = apiRouter();

  /** What the generated screens are built from: readable objects and fields, with permissions. */
  r.get('/objects', scope('read'), async (req, res) => {
    strictQuery(req, ['locale']);
    const p = principalOf(res);
    const model = await models.get(p.tenant.id);
    const subject = { userId: p.userId, isAdmin: p.isAdmin, role: p.role, profile: p.profile };
    const key = visibilityKey(subject);
    const tag = `"m${model.version}-${encodeURIComponent(key)}"`;
    res
      .setHeader('ETag', tag)
      .setHeader('Cache-Control', 'private, no-cache')
      .setHeader('Vary', 'Authorization');
    if (ifNoneMatch(req, tag)) return void res.status(304).end();
    const visible = visibleModel(model, policyFor(model, subject, p.tenant.schema), key);
    res.type('application/json').send(bodyOf(visible));
  });

  r.get('/field-types', scope('read'), (_req, res) => {
    res.json({
      data: FIELD_TYPE_NAMES.map((name) => {
        const t = fieldType(name);
        return {
          name,
          label: t.label,
          operators: t.operators,
          writable: t.writable,
          sortable: t.sortable,
          widget: t.widget,
          definitionSchema: fieldDefinitionSchema(name),
        };
      }),
    });
  });
  const who = (res: Response) => principalOf(res);

  r.get('/', scope('admin'), async (req, res) => {
    strictQuery(req, ['locale']);
    const row = await meta.current(who(res).tenant);
    res
      .setHeader('ETag', metaEtag(row.version))
      .json({ data: { version: row.version, hash: row.hash, package: row.package } });
  });

  r.post('/plan', scope('admin'), async (req, res) => {
    const body = (req.body ?? {}) as DeployBody;
    const p = who(res);
    sendDeploy(
      req,
      res,
      await meta.deploy(p.tenant, p.userId, body.package, { ...options(req, body), dryRun: true }),
    );
  });

  r.post('/deploy', scope('admin'), async (req, res) => {
    const body = (req.body ?? {}) as DeployBody;
    const p = who(res);
    sendDeploy(req, res, await meta.deploy(p.tenant, p.userId, body.package, options(req, body)));
  });

  r.get('/versions', scope('admin'), async (req, res) => {
    strictQuery(req, ['locale']);
    res.json({ data: await meta.versions(who(res).tenant) });
  });

  r.get('/versions/:version', scope('admin'), async (req, res) => {
    const v = versionParam(String(req.params.version));
    const row = await meta.version(who(res).tenant, v);
    res.setHeader('ETag', metaEtag(row.version)).json({ data: row });
  });

  r.post('/rollback/:version', scope('admin'), async (req, res) => {
    const v = versionParam(String(req.params.version));
    const body = (req.body ?? {}) as DeployBody;
    const p = who(res);
    sendDeploy(req, res, await meta.rollback(p.tenant, p.userId, v, options(req, body)));
  });

  r.put('/objects/:name', scope('admin'), async (req, res) => {
    const body = (req.body ?? {}) as ObjectDef & DeployBody;
    const { comment, allowLossy, expectPlan, confirm, ...object } = body;
    if (object.name !== undefined && object.name !== req.params.name)
      throw badRequest('BAD_REQUEST', { reason: msg('R_NAME_MISMATCH') });
    const p = who(res);
    sendDeploy(
      req,
      res,
      await meta.upsertObject(
        p.tenant,
        p.userId,
        { ...object, name: String(req.params.name) } as ObjectDef,
        options(req, { comment, allowLossy, expectPlan, confirm }),
      ),
    );
  });

  r.post('/objects/:name/fields', scope('admin'), async (req, res) => {
    const body = (req.body ?? {}) as FieldDef & DeployBody;
    const { comment, allowLossy, expectPlan, confirm, ...field } = body;
    const p = who(res);
    sendDeploy(
      req,
      res,
      await meta.upsertField(
        p.tenant,
        p.userId,
        String(req.params.name),
        field as FieldDef,
        options(req, { comment, allowLossy, expectPlan, confirm }),
      ),
    );
  });

  r.delete('/objects/:name', scope('admin'), async (req, res) => {
    const p = who(res);
    sendDeploy(
      req,
      res,
      await meta.removeObject(
        p.tenant,
        p.userId,
        String(req.params.name),
        options(req, (req.body ?? {}) as DeployBody),
      ),
    );
  });

  /**
   * Backfills stored roll-ups and formulas of existing records (after a deploy added or changed
   * one): 202 with a status URL; the work runs in batches in the background.
   */
  r.post('/recompute', scope('admin'), async (req, res) => {
    strictQuery(req, ['locale']);
    const body = (req.body ?? {}) as { object?: unknown };
    const p = who(res);
    const model = await models.get(p.tenant.id);
    if (body.object !== undefined && (typeof body.object !== 'string' || !model.objects.has(body.object)))
      throw notFound('OBJECT_NOT_FOUND', { object: String(body.object) });
    const task = await recomputations.start(p.tenant.id, p.userId, body.object);
    res.status(202).setHeader('Location', `${req.baseUrl}/recompute/${task.id}`).json({ data: task });
  });

  r.get('/recompute/:id', scope('admin'), async (req, res) => {
    strictQuery(req, ['locale']);
    const task = await recomputations.get(who(res).tenant.id, String(req.params.id));
    if (!task) throw notFound();
    res.json({ data: task });
  });

  r.post('/purge', scope('admin'), async (req, res) => {
    strictQuery(req, ['locale']);
    res.json({ data: { purged: await meta.purge(who(res).tenant, who(res).userId) } });
  });
  return r;
}
