import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object, opts } from '../helpers/packages.js';

// Inputs a security tester found answering 500; each must be a 4xx problem that changes nothing.
const PLATFORM = 'platform-token-for-fuzz';
let te: TestEngine;
let t: TestTenant;
let session: string;
let userId: string;
let accountId: string;

const pkg = {
  name: 'fuzz',
  objects: [
    object('account', [
      field('name', 'text', { required: true }),
      field('employees', 'integer'),
      field('revenue', 'currency', { precision: 12, scale: 2 }),
      field('founded', 'date'),
      field('seen_at', 'datetime'),
      field('tier', 'picklist', { options: opts('gold', 'silver') }),
    ]),
  ],
};

const app = () => request(te.engine.app);
const as = (token: string) => (r: request.Test) => r.set('Authorization', `Bearer ${token}`);

beforeAll(async () => {
  te = await startEngine({ platformToken: PLATFORM });
  t = await te.tenant(pkg, 'fuzz');
  const u = await t.post('/api/v1/users', {
    username: 'boss',
    displayName: 'Boss',
    password: 'boss-password-1',
    isAdmin: true,
  });
  expect(u.status, JSON.stringify(u.body)).toBe(201);
  userId = u.body.data.id;
  const login = await app()
    .post('/api/v1/auth/login')
    .send({ tenant: 'fuzz', username: 'boss', password: 'boss-password-1' });
  session = login.body.data.access_token;
  accountId = (await t.post('/api/v1/data/account', { name: 'Acme', employees: 10 })).body.data.id;
});
afterAll(() => te?.close());

/** A problem+json with a 4xx status, never a 500. */
function isClientProblem(r: request.Response, status?: number) {
  expect(r.status, `${r.status} ${JSON.stringify(r.body)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, `${r.status} ${JSON.stringify(r.body)}`).toBeLessThan(500);
  if (status) expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(r.body.code).toBeTruthy();
  expect(JSON.stringify(r.body)).not.toMatch(/\{requestId\}/);
}

const filter = (f: unknown) => t.get(`/api/v1/data/account?filter=${encodeURIComponent(JSON.stringify(f))}`);

describe('impossible dates and out-of-range numbers are 4xx', () => {
  it('in filters, checked by the field type', async () => {
    for (const f of [
      { founded: { eq: '2027-02-30' } },
      { founded: { gt: '0000-01-01' } },
      { founded: { in: ['2027-01-01', '2027-04-31'] } },
      { seen_at: { lt: '0000-01-01T00:00:00Z' } },
      { seen_at: { lt: '2027-02-30T00:00:00Z' } },
      { employees: { gt: 1e20 } },
      { employees: { eq: 2147483648 } },
      { revenue: { lt: 1e12 } },
      { version: { eq: 99999999999 } },
      { created_at: { gte: '0000-01-01T00:00:00Z' } },
    ]) {
      const r = await filter(f);
      isClientProblem(r, 400);
      expect(r.body.code, JSON.stringify(f)).toBe('BAD_FILTER');
    }
    // the edges that do fit still work
    expect((await filter({ employees: { lte: 2147483647 } })).status).toBe(200);
    expect((await filter({ founded: { eq: '2024-02-29' } })).status).toBe(200);
    expect((await filter({ revenue: { lt: 9999999999.99 } })).status).toBe(200);
  });

  it('in aggregate filters', async () => {
    const r = await t.post('/api/v1/data/account/aggregate', {
      metrics: [{ fn: 'count' }],
      filter: { founded: { lt: '2027-04-31' } },
    });
    isClientProblem(r, 400);
  });

  it('in writes, with the field named', async () => {
    for (const [name, value] of [
      ['founded', '2027-02-30'],
      ['founded', '0000-01-01'],
      ['seen_at', '0000-01-01T00:00:00Z'],
    ]) {
      const r = await t.post('/api/v1/data/account', { name: 'x', [name]: value });
      isClientProblem(r, 422);
      expect(r.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([`/${name}`]);
    }
  });

  it('in metadata version numbers and user ids', async () => {
    isClientProblem(await t.get('/api/v1/meta/versions/99999999999'));
    isClientProblem(await t.post('/api/v1/meta/rollback/99999999999', {}));
    isClientProblem(await t.get('/api/v1/meta/versions/1e3'));
    isClientProblem(await t.patch('/api/v1/users/not-a-user-id', { displayName: 'x' }), 404);
    isClientProblem(await t.patch(`/api/v1/users/${'9'.repeat(40)}`, { displayName: 'x' }), 404);
  });
});

describe('NUL bytes are refused at the edge, naming the field', () => {
  const nul = 'a\u0000b';
  it('in query parameters', async () => {
    for (const path of [
      `/api/v1/data/account?search=${encodeURIComponent(nul)}`,
      `/api/v1/users/lookup?q=${encodeURIComponent(nul)}`,
    ]) {
      const r = await t.get(path);
      isClientProblem(r, 400);
      expect(r.body.code).toBe('NUL_CHARACTER');
      expect(r.body.detail).toMatch(/"(search|q)"/);
    }
  });

  it('in the path, escaped, on the records API and elsewhere', async () => {
    for (const path of [
      `/api/v1/data/account/${encodeURIComponent(nul)}`,
      `/api/v1/data/account/${encodeURIComponent(nul)}?fields=name`,
      `/api/v1/users/${encodeURIComponent(nul)}`,
    ]) {
      const r = await t.get(path);
      isClientProblem(r, 400);
      expect([path, r.body.code, r.body.detail]).toEqual([
        path,
        'NUL_CHARACTER',
        expect.stringMatching(/path/),
      ]);
    }
  });

  it('in bodies: login, labels, $override, display names, token labels, tenant names', async () => {
    const cases: [request.Test, string][] = [
      [app().post('/api/v1/auth/login').send({ tenant: 'fuzz', username: nul, password: 'x' }), '/username'],
      [app().post('/api/v1/auth/login').send({ tenant: nul, username: 'boss', password: 'x' }), '/tenant'],
      [t.post('/api/v1/data/account', { name: 'x', $override: nul }), '/$override'],
      [
        t.post('/api/v1/users', { username: 'nul', displayName: nul, password: 'long-enough-1' }),
        '/displayName',
      ],
      [t.patch(`/api/v1/users/${userId}`, { displayName: nul }), '/displayName'],
      [as(session)(app().post('/api/v1/tokens')).send({ label: nul, scopes: ['read'] }), '/label'],
      [as(PLATFORM)(app().post('/api/v1/platform/tenants')).send({ slug: 'nulco', name: nul }), '/name'],
      [
        t.put('/api/v1/meta/objects/account', {
          ...pkg.objects[0],
          label: { en: nul, 'zh-CN': '客户' },
        }),
        '/label/en',
      ],
    ];
    for (const [req, pointer] of cases) {
      const r = await req.set('Accept-Language', 'zh-CN');
      isClientProblem(r, 400);
      expect(r.body.code).toBe('NUL_CHARACTER');
      expect(r.body.errors).toEqual([expect.objectContaining({ pointer, code: 'NUL_CHARACTER' })]);
      expect(r.body.detail).toContain(`“${pointer}”`);
      expect(r.body.detail.replace(pointer, '')).not.toMatch(/[A-Za-z]{3,}/);
    }
    // nothing was created or changed
    expect(
      (await t.get('/api/v1/users')).body.data.map((u: { username: string }) => u.username),
    ).not.toContain('nul');
    expect((await as(PLATFORM)(app().get('/api/v1/platform/tenants'))).body.data).toHaveLength(1);
  });
});

describe('bodies the server cannot read are 4xx', () => {
  const raw = (type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    let r = t.post('/api/v1/data/account').set('Content-Type', type);
    for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
    // send the bytes as they are (superagent would serialise a Buffer as JSON)
    return r.serialize((b: unknown) => b as string).send(body as string);
  };

  it('an unsupported charset or content encoding is a 415', async () => {
    isClientProblem(await raw('application/json; charset=latin1', '{"name":"x"}'), 415);
    isClientProblem(await raw('application/json', '{"name":"x"}', { 'Content-Encoding': 'snappy' }), 415);
  });

  it('a body that does not decode as it says is a 400; a good gzip body works', async () => {
    isClientProblem(await raw('application/json', 'not gzip at all', { 'Content-Encoding': 'gzip' }), 400);
    const ok = await raw('application/json', gzipSync(JSON.stringify({ name: 'zipped' })), {
      'Content-Encoding': 'gzip',
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('a non-JSON body is a 415, not a 422', async () => {
    for (const [type, body] of [
      ['text/plain', 'name=x'],
      ['application/x-www-form-urlencoded', 'name=x'],
      ['application/xml', '<name>x</name>'],
    ]) {
      const r = await raw(type, body);
      isClientProblem(r, 415);
      expect(r.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('invalid UTF-8 is refused, never stored as U+FFFD', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"name":"bad '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const r = await raw('application/json', bytes);
    isClientProblem(r, 400);
    expect(r.body.code).toBe('INVALID_UTF8');
    const search = await t.get(`/api/v1/data/account?search=${encodeURIComponent('bad')}`);
    expect(search.body.data).toEqual([]);
    // valid UTF-8, Chinese included, still goes through
    const ok = await raw('application/json; charset=utf-8', Buffer.from('{"name":"上海艾可美"}'));
    expect(ok.status).toBe(201);
    expect(ok.body.data.name).toBe('上海艾可美');
  });
});

describe('the 500 problem', () => {
  it('never shows a literal placeholder', async () => {
    // no input reaches a 500 any more; render the problem directly
    const { sendProblem } = await import('../../engine/src/api/problem.js');
    const { DomainError } = await import('../../engine/src/core/errors.js');
    const sent: Record<string, unknown> = {};
    const res = {
      locals: { requestId: 'req-1' },
      setHeader: () => res,
      status: () => res,
      type: () => res,
      json: (b: Record<string, unknown>) => Object.assign(sent, b),
    };
    const req = { query: {}, headers: { 'accept-language': 'zh-CN' } };
    sendProblem(req as never, res as never, new DomainError(500, 'INTERNAL'));
    expect(sent.title).not.toMatch(/\{/);
    expect(sent.detail).toContain('req-1');
    expect(accountId).toBeTruthy();
  });
});

describe('user changes the fuzz test found', () => {
  it('an empty or mistyped patch is answered, not a 500', async () => {
    const same = await t.patch(`/api/v1/users/${userId}`, {});
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body.data.display_name).toBe('Boss');
    isClientProblem(await t.patch(`/api/v1/users/${userId}`, { displayName: 42 }), 422);
    isClientProblem(await t.patch(`/api/v1/users/${userId}`, [1, 2]), 422);
    expect(
      (await t.get('/api/v1/users')).body.data.find((u: { id: string }) => u.id === userId).display_name,
    ).toBe('Boss');
  });
});
