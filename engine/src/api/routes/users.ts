import { badRequest, notFound } from '../../core/errors.js';
import type { ModelCache } from '../../tenancy/model-cache.js';
import type { NewUser, Users } from '../../tenancy/users.js';
import { principalOf } from '../context.js';
import { apiRouter, type ApiRouter, scope } from '../scopes.js';
import { listParam, strictQuery } from '../http-helpers.js';

export const LOOKUP_MAX_IDS = 200;
export const LOOKUP_MAX_QUERY = 100;
const LOOKUP_LIMIT = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * /api/v1/users: names of users for every signed-in user (`/lookup`); tenant administrators
 * manage the tenant's users.
 */
export function usersRouter(
  users: Users,
  models: ModelCache,
  evictUser: (userId: string) => Promise<void>,
): ApiRouter {
  const r = apiRouter();

  /** `?ids=a,b,c` or `?q=prefix` → `[{id, name}]`: names only, nothing an admin list would show. */
  r.get('/lookup', scope('read'), async (req, res) => {
    const q = strictQuery(req, ['ids', 'q', 'locale']);
    const args = { max: LOOKUP_MAX_IDS, maxLength: LOOKUP_MAX_QUERY };
    if ((q.ids === undefined) === (q.q === undefined)) throw badRequest('USER_LOOKUP_ARGS', args);
    const { tenant } = principalOf(res);
    let data: { id: string; name: string }[];
    if (q.ids !== undefined) {
      const ids = [...new Set(listParam(q.ids))];
      if (!ids.length) throw badRequest('USER_LOOKUP_ARGS', args);
      if (ids.length > LOOKUP_MAX_IDS)
        throw badRequest('TOO_MANY_IDS', { max: LOOKUP_MAX_IDS, count: ids.length });
      const bad = ids.find((id) => !UUID.test(id));
      if (bad !== undefined) throw badRequest('BAD_USER_ID', { id: bad.slice(0, 40) });
      data = await users.names(tenant, { ids: ids.map((id) => id.toLowerCase()) });
    } else {
      const prefix = q.q!.trim();
      if (prefix.length > LOOKUP_MAX_QUERY) throw badRequest('USER_LOOKUP_ARGS', args);
      data = await users.names(tenant, { prefix, limit: LOOKUP_LIMIT });
    }
    res.setHeader('Cache-Control', 'private, no-cache').json({ data });
  });

  r.get('/', scope('admin'), async (_req, res) => {
    res.json({ data: await users.list(principalOf(res).tenant) });
  });
  r.post('/', scope('admin'), async (req, res) => {
    const p = principalOf(res);
    const user = await users.create(
      p.tenant,
      await models.get(p.tenant.id),
      (req.body ?? {}) as NewUser,
      p.userId,
    );
    res.status(201).json({ data: user });
  });
  r.patch('/:id', scope('admin'), async (req, res) => {
    // Not a user id: no such user (the database would refuse the cast).
    if (!UUID.test(String(req.params.id))) throw notFound();
    const p = principalOf(res);
    const user = await users.update(
      p.tenant,
      await models.get(p.tenant.id),
      String(req.params.id),
      req.body ?? {},
      p.userId,
    );
    // A suspended or re-roled user's cached sessions stop at once, in every engine process.
    await evictUser(String(req.params.id));
    res.json({ data: user });
  });
  /** An administrator sets a user's password (`{password}`); the user's sessions end. */
  r.post('/:id/password', scope('admin'), async (req, res) => {
    const p = principalOf(res);
    const body = (req.body ?? {}) as { password?: unknown };
    await users.resetPassword(p.tenant, String(req.params.id), body.password, p.userId);
    await evictUser(String(req.params.id));
    res.status(204).end();
  });
  return r;
}
