import type { ApiTokens, NewToken } from '../../tenancy/api-tokens.js';
import { principalOf } from '../context.js';
import { apiRouter, type ApiRouter, scope } from '../scopes.js';

/** /api/v1/tokens: a user's own integration tokens (created from a signed-in session). */
export function tokensRouter(tokens: ApiTokens, evictTokenId: (id: string) => Promise<void>): ApiRouter {
  const r = apiRouter();
  r.get('/', scope('user'), async (_req, res) => {
    res.json({ data: await tokens.list(principalOf(res)) });
  });
  r.post('/', scope('user'), async (req, res) => {
    res.status(201).json({ data: await tokens.create(principalOf(res), (req.body ?? {}) as NewToken) });
  });
  r.delete('/:id', scope('user'), async (req, res) => {
    await tokens.revoke(principalOf(res), String(req.params.id));
    // Cached by the authenticator for up to 30 s otherwise.
    await evictTokenId(String(req.params.id));
    res.status(204).end();
  });
  return r;
}
