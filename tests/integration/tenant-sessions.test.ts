import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ident } from '../../engine/src/core/ident.js';
import { pinnedSessions, type TenantSessions } from '../../engine/src/db/tenant-sessions.js';
import { dbRoleOf } from '../../engine/src/tenancy/tenants.js';
import { DATABASE_URL, onServer, startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';

// The tenant fence with connections that keep their role between requests (server only: on
// PGlite every session is a transaction that sets the role locally, covered by the whole suite).
describe.skipIf(!onServer)('pinned tenant sessions (server)', () => {
  let te: TestEngine;
  let a: TestTenant;
  let b: TestTenant;
  let one: TenantSessions;
  const role = async (t: TestTenant) =>
    dbRoleOf((await te.engine.tenants.list()).find((x) => x.id === t.tenantId)!);

  beforeAll(async () => {
    te = await startEngine();
    const pkg = { objects: [object('note', [field('title', 'text')])] };
    a = await te.tenant(pkg, 'alpha');
    b = await te.tenant(pkg, 'beta');
    expect((await a.post('/api/v1/data/note', { title: 'alpha secret' })).status).toBe(201);
    // One connection: every session below reuses it, whatever role the last one left on it.
    one = pinnedSessions({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
  });
  afterAll(async () => {
    await one?.close();
    await te?.close();
  });

  it('refuses a query outside a session', async () => {
    // A query with no session would run under whatever role a connection kept: it never runs.
    const knexOf = await one.read((await role(a)) as Ident, async (db) => db);
    await expect(knexOf.withSchema(a.schema).from('note').select('id')).rejects.toThrow(
      /only inside a tenant session/,
    );
  });

  it('switches the role when the connection last served another tenant', async () => {
    const ra = (await role(a)) as Ident;
    const rb = (await role(b)) as Ident;
    const titles = await one.read(ra, (db) => db.withSchema(a.schema).from('note').pluck('title'));
    expect(titles).toEqual(['alpha secret']);
    // Same connection, now beta's: alpha's table is out of reach.
    await expect(one.read(rb, (db) => db.withSchema(a.schema).from('note').select('id'))).rejects.toThrow(
      /permission denied/,
    );
    expect(await one.read(rb, (db) => db.raw('select current_user as u').then((r) => r.rows[0].u))).toBe(rb);
    expect(await one.read(ra, (db) => db.raw('select current_user as u').then((r) => r.rows[0].u))).toBe(ra);
  });

  it('prepared statements survive a deploy that changes the table under them', async () => {
    const id = (await a.post('/api/v1/data/note', { title: 'v1' })).body.data.id;
    const other = (await a.post('/api/v1/data/note', { title: 'o1' })).body.data.id;
    // Two updates in one batch run in a transaction (locks), where a failed statement aborts it.
    const both = (i: number, extra = {}) =>
      a.post('/api/v1/data/note/batch', {
        operations: [id, other].map((x) => ({ op: 'update', id: x, data: { title: `b${i}`, ...extra } })),
      });
    // Sequential requests reuse pooled connections: load and update are now prepared there.
    for (let i = 0; i < 4; i++) {
      expect((await a.patch(`/api/v1/data/note/${id}`, { title: `v${i + 2}` })).status).toBe(200);
      expect((await a.get(`/api/v1/data/note/${id}`)).status).toBe(200);
      expect((await both(i)).status).toBe(200);
    }
    const meta = (await a.get('/api/v1/meta')).body.data;
    meta.package.objects[0].fields.push(field('extra', 'integer'));
    expect((await a.post('/api/v1/meta/deploy', { package: meta.package })).status).toBe(201);
    // `select *` and `returning *` now have another column: Postgres refuses the old plans once.
    for (let i = 0; i < 4; i++) {
      const r = await a.patch(`/api/v1/data/note/${id}`, { title: `w${i}`, extra: i });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.data).toMatchObject({ title: `w${i}`, extra: i });
      const b = await both(i, { extra: 10 + i });
      expect(b.status, JSON.stringify(b.body)).toBe(200);
    }
  });

  it('a failed write session rolls back and leaves the connection usable', async () => {
    const ra = (await role(a)) as Ident;
    await expect(
      one.write(ra, async (db) => {
        await db.withSchema(a.schema).table('note').insert({ title: 'never', owner: a.adminUserId });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const titles = await one.read(ra, (db) => db.withSchema(a.schema).from('note').pluck('title'));
    expect(titles).toContain('alpha secret');
    expect(titles).not.toContain('never');
  });
});
