import { badRequest } from '../../core/errors.js';
import { SEARCH_MAX_PER_OBJECT } from '../../records/search.js';
import type { RecordsService } from '../../records/service.js';
import { policyFor } from '../../security/policy.js';
import type { ModelCache } from '../../tenancy/model-cache.js';
import { dbRoleOf } from '../../tenancy/tenants.js';
import { principalOf } from '../context.js';
import { intParam, strictQuery } from '../http-helpers.js';
import { apiRouter, type ApiRouter, scope } from '../scopes.js';

/**
 * /api/v1/search?q=…&limit=…: one box over every object the caller may read (the studio's
 * header search). Per object at most `limit` records (default 5, ≤ 20), each `{id, name}`.
 */
export function searchRouter(records: RecordsService, models: ModelCache): ApiRouter {
  const r = apiRouter();
  r.get('/', scope('read'), async (req, res) => {
    const q = strictQuery(req, ['q', 'limit', 'locale']);
    const per = intParam('limit', q.limit) ?? 5;
    if (per < 1 || per > SEARCH_MAX_PER_OBJECT) throw badRequest('BAD_LIMIT', { max: SEARCH_MAX_PER_OBJECT });
    if (typeof q.q !== 'string') throw badRequest('SEARCH_TEXT', { max: 100 });
    const p = principalOf(res);
    const model = await models.get(p.tenant.id);
    const access = policyFor(
      model,
      { userId: p.userId, isAdmin: p.isAdmin, role: p.role, profile: p.profile },
      p.tenant.schema,
    );
    const data = await records.search(
      {
        tenantId: p.tenant.id,
        schema: p.tenant.schema,
        actor: p.userId,
        model,
        access,
        dbRole: dbRoleOf(p.tenant),
      },
      q.q,
      per,
    );
    res.setHeader('Cache-Control', 'private, no-store').json({ data });
  });
  return r;
}
