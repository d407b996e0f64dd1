import type { Request } from 'express';
import { draftScope, type StageService } from '../../processes/index.js';
import type { ModelCache } from '../../tenancy/model-cache.js';
import { idParam, strictQuery } from '../http-helpers.js';
import { apiRouter, type ApiRouter, scope as need } from '../scopes.js';
import type { Routes } from '../route-table.js';
import { langOf } from '../problem.js';
import { scopeFor } from './data.js';

const object = (req: Request) => String(req.params.object);

/** Under /api/v1/data: a record's gate checklist and stage history. */
export function recordStagesRouter(stages: StageService, models: ModelCache, r: Routes): void {
  const scope = scopeFor(models);
  r.get('/:object/:id/gates', need('read'), async (req, res) => {
    const q = strictQuery(req, ['to', 'locale']);
    const to = typeof q.to === 'string' && q.to !== '' ? q.to : undefined;
    res.json({
      data: await stages.checklist(await scope(res), object(req), idParam(req, 'id'), to, langOf(req)),
    });
  });
  r.get('/:object/:id/stage-history', need('read'), async (req, res) => {
    strictQuery(req, ['locale']);
    res.json({ data: await stages.history(await scope(res), object(req), idParam(req, 'id')) });
  });
}

/** /api/v1/stages/{object}: business types and pipelines of an object, and its stage statistics. */
export function stagesRouter(stages: StageService, models: ModelCache): ApiRouter {
  const r = apiRouter();
  const scope = scopeFor(models);
  r.get('/:object', need('read'), async (req, res) => {
    strictQuery(req, ['locale']);
    res.json({ data: stages.describe(await scope(res), object(req)) });
  });
  // The pipeline editor's "try on a record": the checklist under an undeployed draft (admins).
  r.post('/:object/try', need('admin'), async (req, res) => {
    strictQuery(req, ['locale']);
    const draft = draftScope(await scope(res), object(req), req.body);
    res.json({
      data: await stages.checklist(draft.scope, object(req), draft.recordId, draft.to, langOf(req)),
    });
  });
  r.get('/:object/stats', need('read'), async (req, res) => {
    const q = strictQuery(req, ['pipeline', 'locale']);
    const pipeline = typeof q.pipeline === 'string' && q.pipeline !== '' ? q.pipeline : undefined;
    res.json({ data: await stages.stats(await scope(res), object(req), pipeline) });
  });
  return r;
}
