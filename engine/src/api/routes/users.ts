import { Router } from 'express';
import type { ModelCache } from '../../tenancy/model-cache.js';
import type { NewUser, Users } from '../../tenancy/users.js';
import { requireAdmin } from '../auth.js';
import { principalOf } from '../context.js';

/** /api/v1/users: tenant administrators manage the tenant's users. */
export function usersRouter(users: Users, models: ModelCache, evictUser: (userId: string) => void): Router {
  const r = Router();
  r.use(requireAdmin);
  r.get('/', async (_req, res) => {
    res.json({ data: await users.list(principalOf(res).tenant) });
  });
  r.post('/', async (req, res) => {
    const p = principalOf(res);
    const user = await users.create(
      p.tenant,
      await models.get(p.tenant.id),
      (req.body ?? {}) as NewUser,
      p.userId,
    );
    res.status(201).json({ data: user });
  });
  r.patch('/:id', async (req, res) => {
    const p = principalOf(res);
    const user = await users.update(
      p.tenant,
      await models.get(p.tenant.id),
      String(req.params.id),
      req.body ?? {},
      p.userId,
    );
    // A suspended or re-roled user's cached sessions stop at once in this process.
    evictUser(String(req.params.id));
    res.json({ data: user });
  });
  return r;
}
