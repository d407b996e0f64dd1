import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE, type Need } from '../../engine/src/api/scopes.js';
import { ApiTokens } from '../../engine/src/tenancy/api-tokens.js';
import type { TokenScope } from '../../engine/src/tenancy/tenants.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { l, salesPackage } from '../helpers/packages.js';

/**
 * Every route of the app, read from express's own router stack and the records API's route table
 * (a route added tomorrow is walked too), called by every kind of caller and with every path segment in odd case: the outcome must
 * be what the route declares, and an oddly cased path is found nowhere.
 */

interface Route {
  method: string;
  path: string;
  needs: Need[];
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: { [SCOPE]?: Need } }[] };
  handle: { stack?: Layer[]; routes?: () => Route[] };
  rawPath?: unknown;
}

function walk(stack: Layer[], prefix = ''): Route[] {
  const out: Route[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const needs = layer.route.stack.map((s) => s.handle[SCOPE]).filter((n): n is Need => !!n);
      for (const [method, on] of Object.entries(layer.route.methods))
        if (on && method !== '_all')
          out.push({
            method,
            path: layer.route.path === '/' && prefix ? prefix : prefix + layer.route.path,
            needs,
          });
    } else if (layer.handle?.routes) {
      out.push(...layer.handle.routes());
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...walk(layer.handle.stack, prefix + mount));
    }
  }
  return out;
}

const PLATFORM_TOKEN = `plat_${randomUUID()}`;
let te: TestEngine;
let t: TestTenant;
let routes: Route[];
const tokens: Partial<Record<string, string>> = {};
let repId: string;

/** Values for path parameters: real where it matters, absent records elsewhere (nothing is destroyed). */
function fill(path: string): string {
  const values: Record<string, () => string> = {
    object: () => 'account',
    id: () => (path.startsWith('/api/v1/tokens') ? '0123456789abcdef' : randomUUID()),
    userId: () => randomUUID(),
    requestId: () => randomUUID(),
    version: () => '999',
    name: () => 'zz_nosuch',
  };
  return path.replace(/:(\w+)/g, (_, k: string) => {
    if (!values[k]) throw new Error(`no test value for the path parameter :${k} of ${path}; add one`);
    return values[k]();
  });
}

type Caller =
  | 'none'
  | 'platform'
  | 'adminSession'
  | 'repSession'
  | 'unscoped'
  | 'read'
  | 'write'
  | 'admin'
  | 'read+write';
const CALLERS: Caller[] = [
  'none',
  'platform',
  'adminSession',
  'repSession',
  'unscoped',
  'read',
  'write',
  'admin',
  'read+write',
];

async function bearer(who: Caller): Promise<string | null> {
  const s = te.engine.sessions;
  if (who === 'none') return null;
  if (who === 'platform') return PLATFORM_TOKEN;
  // Sessions are minted per request: refresh and logout end the one they are given.
  if (who === 'adminSession') return (await s.issue(t.tenantId, t.adminUserId)).access_token;
  if (who === 'repSession') return (await s.issue(t.tenantId, repId)).access_token;
  if (who === 'unscoped') return t.token;
  return tokens[who]!;
}

/** What a caller gets from a route that declares `need`: allowed, or the refusal (status, code). */
function expected(need: Need, who: Caller): 'allowed' | [number, string] {
  const unauth: [number, string] = [401, 'UNAUTHENTICATED'];
  if (need === 'public') return 'allowed';
  if (need === 'platform') return who === 'platform' ? 'allowed' : unauth;
  if (who === 'none' || who === 'platform') return unauth;
  const session = who === 'adminSession' || who === 'repSession';
  const scopes = session || who === 'unscoped' ? null : (who.split('+') as TokenScope[]);
  if (need === 'any') return 'allowed';
  if (need === 'session') return session ? 'allowed' : [403, 'SESSION_ONLY'];
  if (need === 'user') return scopes ? [403, 'SCOPED_TOKEN_REFUSED'] : 'allowed';
  if (scopes && !scopes.includes(need)) return [403, 'TOKEN_SCOPE'];
  if (need === 'admin' && who === 'repSession') return [403, 'FORBIDDEN'];
  return 'allowed';
}

const REFUSALS = [
  'UNAUTHENTICATED',
  'TOKEN_SCOPE',
  'SCOPED_TOKEN_REFUSED',
  'SESSION_ONLY',
  'FORBIDDEN',
  'SCOPE_UNDECLARED',
];

async function call(method: string, path: string, token: string | null) {
  const m = method as 'get' | 'post' | 'put' | 'patch' | 'delete';
  let r = request(te.engine.app)[m](path);
  if (token) r = r.set('Authorization', `Bearer ${token}`);
  return method === 'get' || method === 'delete' ? r : r.send({});
}

beforeAll(async () => {
  te = await startEngine({ platformToken: PLATFORM_TOKEN });
  const pkg = salesPackage();
  pkg.profiles = [{ name: 'rep', label: l('Rep'), objects: { account: { read: true } } }];
  t = await te.tenant(pkg, 'routes');
  const rep = await t.post('/api/v1/users', { username: 'rep', displayName: 'Rep', profile: 'rep' });
  repId = rep.body.data.id as string;
  const admin = (await te.engine.tenants.principalForToken(t.token))!;
  const made = new ApiTokens(te.engine.db.knex, te.engine.platform);
  for (const scopes of [['read'], ['write'], ['admin'], ['read', 'write']] as TokenScope[][])
    tokens[scopes.join('+')] = (await made.create(admin, { label: scopes.join('+'), scopes })).token;
  routes = walk((te.engine.app as unknown as { router: { stack: Layer[] } }).router.stack);
});
afterAll(() => te?.close());

describe('the route table', () => {
  it('is read from the app, and every API route declares exactly one scope', () => {
    const api = routes.filter((r) => r.path.startsWith('/api/v1/'));
    expect(api.length).toBeGreaterThan(30);
    for (const p of ['/api/v1/users', '/api/v1/meta/deploy', '/api/v1/data/:object/:id', '/api/v1/audit'])
      expect(api.map((r) => r.path)).toContain(p);
    const undeclared = api.filter((r) => r.needs.length !== 1).map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
  });

  it('declares what the docs promise for the routes that matter most', () => {
    const need = (method: string, path: string) =>
      routes.find((r) => r.method === method && r.path === `/api/v1${path}`)?.needs[0];
    expect(need('post', '/users')).toBe('admin');
    expect(need('get', '/users/lookup')).toBe('read');
    expect(need('get', '/meta/objects')).toBe('read');
    expect(need('post', '/meta/purge')).toBe('admin');
    expect(need('post', '/data/:object/aggregate')).toBe('read');
    expect(need('post', '/data/:object')).toBe('write');
    expect(need('post', '/tokens')).toBe('user');
    expect(need('post', '/auth/refresh')).toBe('session');
    expect(need('post', '/auth/logout')).toBe('session');
    expect(need('post', '/auth/password')).toBe('user');
  });
});

describe('every route with every caller', () => {
  it('answers as the route declares: allowed callers pass, the others get the declared refusal', async () => {
    const wrong: string[] = [];
    for (const route of routes.filter((r) => r.path.startsWith('/api/v1/'))) {
      for (const who of CALLERS) {
        const path = fill(route.path);
        const r = await call(route.method, path, await bearer(who));
        const want = expected(route.needs[0], who);
        const got = `${r.status} ${String(r.body?.code)}`;
        const ok =
          want === 'allowed'
            ? r.status < 500 && !(r.status === 401 || (r.status === 403 && REFUSALS.includes(r.body?.code)))
            : r.status === want[0] && r.body?.code === want[1];
        if (!ok) wrong.push(`${route.method} ${path} as ${who}: got ${got}, want ${String(want)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('odd casing', () => {
  /** The path with one segment's case changed (upper, then capitalised), for each static segment. */
  function variants(path: string): string[] {
    const segs = path.split('/');
    const out = new Set<string>();
    segs.forEach((seg, i) => {
      if (!seg || seg.startsWith(':')) return;
      for (const odd of [seg.toUpperCase(), seg[0].toUpperCase() + seg.slice(1)])
        if (odd !== seg) out.add(segs.map((s, j) => (j === i ? odd : s)).join('/'));
    });
    return [...out];
  }

  it('finds no route, for any caller: never a 2xx, never a refusal that reveals the route', async () => {
    const wrong: string[] = [];
    let tried = 0;
    for (const route of routes.filter((r) => r.path.startsWith('/api/v1/')))
      for (const odd of variants(route.path))
        for (const who of (route.needs[0] === 'platform'
          ? ['platform']
          : ['adminSession', 'unscoped', 'read+write', 'read']) as Caller[]) {
          const r = await call(route.method, fill(odd), await bearer(who));
          tried++;
          // Above the platform router, the platform token is no tenant token: 401 is as good as 404.
          const fine =
            (r.status === 404 && r.body?.code === 'ROUTE_NOT_FOUND') ||
            (who === 'platform' && r.status === 401 && r.body?.code === 'UNAUTHENTICATED');
          if (!fine) wrong.push(`${route.method} ${odd} as ${who}: ${r.status} ${String(r.body?.code)}`);
        }
    expect(tried).toBeGreaterThan(200);
    expect(wrong).toEqual([]);
  });

  it('creates no admin through POST /api/v1/Users with a read+write token', async () => {
    const r = await call('post', '/api/v1/Users', tokens['read+write']!);
    expect(r.status).toBe(404);
    const users = await t.get('/api/v1/users');
    expect(users.body.data.map((u: { username: string }) => u.username).sort()).toEqual(['admin', 'rep']);
  });
});
