import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object, opts } from '../helpers/packages.js';

/**
 * Property: whatever a caller puts in a route's path parameters, query parameters and JSON body,
 * the answer is never a 500. Every route of the API is listed; values are drawn from strings
 * (unicode, NUL, huge), numbers past every column's range, impossible dates and nested JSON.
 */
const PLATFORM = 'platform-token-for-fuzz';
let te: TestEngine;
let t: TestTenant;
let ids: Record<string, string>;

beforeAll(async () => {
  te = await startEngine({ platformToken: PLATFORM });
  t = await te.tenant(
    {
      name: 'fuzz',
      objects: [
        object('account', [
          field('name', 'text', { required: true }),
          field('employees', 'integer'),
          field('revenue', 'currency', { precision: 12, scale: 2 }),
          field('founded', 'date'),
          field('seen_at', 'datetime'),
          field('tier', 'picklist', { options: opts('gold', 'silver') }),
          field('tags', 'multi_picklist', { options: opts('a', 'b') }),
          field('site', 'url'),
        ]),
        object('contact', [field('name', 'text'), field('account', 'lookup', { target: 'account' })]),
      ],
    },
    'fuzz',
  );
  const account = (await t.post('/api/v1/data/account', { name: 'Acme', employees: 3 })).body.data.id;
  const user = (
    await t.post('/api/v1/users', { username: 'u1', displayName: 'U', password: 'u1-password-1' })
  ).body.data.id;
  ids = { account, user };
});
afterAll(() => te?.close());

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** Every route (path parameters as :name); `auth` is the token it is called with. */
const ROUTES: [Method, string, 'tenant' | 'platform' | 'none'][] = [
  ['post', '/auth/login', 'none'],
  ['post', '/auth/refresh', 'tenant'],
  ['post', '/auth/password', 'tenant'],
  ['get', '/platform/tenants', 'platform'],
  ['post', '/platform/tenants', 'platform'],
  ['get', '/tokens', 'tenant'],
  ['post', '/tokens', 'tenant'],
  ['delete', '/tokens/:id', 'tenant'],
  ['get', '/openapi.json', 'tenant'],
  ['get', '/me', 'tenant'],
  ['get', '/data/:object', 'tenant'],
  ['post', '/data/:object', 'tenant'],
  ['post', '/data/:object/batch', 'tenant'],
  ['post', '/data/:object/aggregate', 'tenant'],
  ['get', '/data/:object/:id', 'tenant'],
  ['get', '/data/:object/:id/history', 'tenant'],
  ['get', '/data/:object/:id/team', 'tenant'],
  ['put', '/data/:object/:id/team/:userId', 'tenant'],
  ['delete', '/data/:object/:id/team/:userId', 'tenant'],
  ['patch', '/data/:object/:id', 'tenant'],
  ['delete', '/data/:object/:id', 'tenant'],
  ['get', '/meta/objects', 'tenant'],
  ['get', '/meta/field-types', 'tenant'],
  ['get', '/meta', 'tenant'],
  ['post', '/meta/plan', 'tenant'],
  ['get', '/meta/versions', 'tenant'],
  ['get', '/meta/versions/:version', 'tenant'],
  ['post', '/meta/rollback/:version', 'tenant'],
  ['put', '/meta/objects/:name', 'tenant'],
  ['post', '/meta/objects/:name/fields', 'tenant'],
  ['get', '/users/lookup', 'tenant'],
  ['get', '/users', 'tenant'],
  ['post', '/users', 'tenant'],
  ['patch', '/users/:id', 'tenant'],
  ['get', '/audit', 'tenant'],
];

// Values that broke the server before: every kind of string, and numbers and dates past every range.
const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    'a\u0000b',
    '\u0000',
    '2027-02-30',
    '0000-01-01',
    '2027-04-31',
    '0000-01-01T00:00:00Z',
    '99999999999',
    '-1',
    '1e3',
    'NaN',
    '%',
    '..',
    '__proto__',
    'constructor',
    'x'.repeat(5000),
    '00000000-0000-0000-0000-000000000000',
    '\uFFFD',
    '\uD800',
  ),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e20, -1e20, 99999999999, 2147483648, -2147483649, 1e308, 0.000001, -0),
);
const leaf = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));
const known = ['name', 'employees', 'revenue', 'founded', 'seen_at', 'tier', 'tags', 'site', 'account'];
const OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'startsWith', 'isNull'];
const filterArb = fc.dictionary(
  fc.constantFrom(...known, 'version', 'created_at', 'id', 'owner', 'nope'),
  fc.oneof(leaf, fc.dictionary(fc.constantFrom(...OPS), fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })))),
  { maxKeys: 3 },
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(fc.constantFrom(...known, '$override'), fc.string({ maxLength: 8 })),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;
const bodyArb = fc.oneof(
  json,
  fc.dictionary(fc.constantFrom(...known, '$override'), leaf, { maxKeys: 5 }),
  fc.record({
    records: fc.array(fc.dictionary(fc.constantFrom(...known), leaf, { maxKeys: 3 }), { maxLength: 3 }),
  }),
  fc.record({ groupBy: fc.array(fc.constantFrom(...known), { maxLength: 2 }), filter: filterArb }),
  fc.record({
    username: hostileString,
    displayName: hostileString,
    password: hostileString,
    tenant: hostileString,
    label: hostileString,
    scopes: fc.array(hostileString, { maxLength: 2 }),
    slug: hostileString,
    name: hostileString,
  }),
);
const queryArb = fc.dictionary(
  fc.constantFrom(
    'filter',
    'sort',
    'limit',
    'cursor',
    'fields',
    'expand',
    'search',
    'q',
    'ids',
    'locale',
    'dryRun',
    'x',
  ),
  fc.oneof(
    hostileString,
    filterArb.map((f) => JSON.stringify(f)),
    fc.constantFrom('1', '0', '201', '-name', 'account', 'account.name', 'true'),
  ),
  { maxKeys: 3 },
);
const paramArb = (name: string) =>
  fc.oneof(
    hostileString,
    fc.constantFrom(
      ...(name === 'object' ? ['account', 'contact', 'nope', 'Account', '_users'] : []),
      ...(name === 'id' || name === 'userId' ? [ids.account, ids.user] : []),
      ...(name === 'version' ? ['1', '0', '99999999999', '2147483648', '-1', '1.5'] : []),
      ...(name === 'name' ? ['account', 'contact', 'new_thing', 'Bad-Name'] : []),
    ),
  );

const app = () => request(te.engine.app);
// A URL cannot carry a lone surrogate (encodeURIComponent throws): send U+FFFD instead.
const wellFormed = (s: string) =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

describe('no route answers 500, whatever its parameters', () => {
  for (const [method, path, auth] of ROUTES) {
    it(`${method.toUpperCase()} ${path}`, async () => {
      const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const params = fc.tuple(...names.map((n) => paramArb(n)));
      await fc.assert(
        fc.asyncProperty(params, queryArb, bodyArb, async (values, query, body) => {
          let url = '/api/v1' + path;
          names.forEach((n, i) => (url = url.replace(`:${n}`, encodeURIComponent(wellFormed(values[i])))));
          const call = app()[method](url);
          let r = call.query(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, wellFormed(v)])));
          if (auth === 'tenant') r = r.set('Authorization', `Bearer ${t.token}`);
          if (auth === 'platform') r = r.set('Authorization', `Bearer ${PLATFORM}`);
          // the bytes of any JSON value, scalars included (superagent would refuse to send them)
          if (method !== 'get')
            r = r
              .set('Content-Type', 'application/json')
              .serialize((b: unknown) => b as string)
              .send(JSON.stringify(body) as string);
          const res = await r;
          expect(
            res.status,
            `${method} ${url} ${JSON.stringify(query)} ${JSON.stringify(body)}`,
          ).toBeLessThan(500);
        }),
        // dryRun-free deploys and rollbacks are slow: fewer runs for metadata writes
        { numRuns: /^\/(meta\/(objects|rollback|plan)|platform)/.test(path) ? 8 : 25 },
      );
    });
  }
});
