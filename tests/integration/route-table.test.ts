import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { routeTable } from '../../engine/src/api/route-table.js';
import { scope } from '../../engine/src/api/scopes.js';

/**
 * The records API's route table over real HTTP: it must match as strictly as the express routers
 * it replaced, pass on what it does not match, and follow express 5's rules for handlers.
 */
function app() {
  const a = express();
  const seen: string[] = [];
  const table = routeTable('/api/v1/data', (path) => [
    (req, _res, next) => {
      seen.push(`prelude ${path}`);
      if (req.headers['x-refuse']) throw Object.assign(new Error('refused'), { status: 401 });
      next();
    },
  ]);
  table.get('/:object/:id', scope('public'), (req, res) => {
    res.json({ params: req.params, query: req.query, base: req.baseUrl });
  });
  table.post(
    '/:object',
    scope('public'),
    (req, res) => void res.status(201).json({ object: req.params.object }),
  );
  table.delete('/:object/:id', scope('public'), async () => {
    await Promise.resolve();
    throw Object.assign(new Error('rejected'), { status: 409 });
  });
  a.use(table.handle);
  a.use((req, res) => void res.status(404).json({ fellThrough: req.originalUrl }));
  const onError: ErrorRequestHandler = (err: Error & { status?: number }, _req, res, _next) =>
    void res.status(err.status ?? 500).json({ error: err.message });
  a.use(onError);
  return { a, seen, table };
}

describe('the route table', () => {
  it('matches a route, decodes its parameters, keeps the query and sets the mount path', async () => {
    const { a, seen } = app();
    const r = await request(a).get('/api/v1/data/opportunity/a%20b?fields=name,stage');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      params: { object: 'opportunity', id: 'a b' },
      query: { fields: 'name,stage' },
      base: '/api/v1/data',
    });
    expect(seen).toEqual(['prelude /:object/:id']);
  });

  it('passes on what no route matches: another case, a trailing slash, another method or prefix', async () => {
    const { a, seen } = app();
    for (const [method, path] of [
      ['get', '/api/v1/DATA/opportunity/x'],
      ['get', '/api/v1/data/opportunity/x/'],
      ['get', '/api/v1/data/opportunity'],
      ['patch', '/api/v1/data/opportunity/x'],
      ['get', '/api/v2/data/opportunity/x'],
    ] as const) {
      const r = await request(a)[method](path);
      expect([method, path, r.status, r.body.fellThrough]).toEqual([method, path, 404, path]);
    }
    expect(seen).toEqual([]);
  });

  it('answers HEAD on a GET route, without a body', async () => {
    const r = await request(app().a).head('/api/v1/data/opportunity/x');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/json/);
    expect(r.text).toBeUndefined();
  });

  it('sends a throw in the prelude and a rejected handler to the error handler', async () => {
    const { a } = app();
    const refused = await request(a).post('/api/v1/data/opportunity').set('X-Refuse', '1').send({});
    expect([refused.status, refused.body]).toEqual([401, { error: 'refused' }]);
    const rejected = await request(a).delete('/api/v1/data/opportunity/x');
    expect([rejected.status, rejected.body]).toEqual([409, { error: 'rejected' }]);
    const created = await request(a).post('/api/v1/data/opportunity').send({});
    expect([created.status, created.body]).toEqual([201, { object: 'opportunity' }]);
  });

  it('lists its routes with their full paths and declared scopes (HEAD is not a route of its own)', () => {
    expect(app().table.handle.routes()).toEqual([
      { method: 'get', path: '/api/v1/data/:object/:id', needs: ['public'] },
      { method: 'post', path: '/api/v1/data/:object', needs: ['public'] },
      { method: 'delete', path: '/api/v1/data/:object/:id', needs: ['public'] },
    ]);
  });
});
