import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ident } from '../../engine/src/core/ident.js';
import { pinnedSessions, type TenantSessions } from '../../engine/src/db/tenant-sessions.js';
import { dbRoleOf } from '../../engine/src/tenancy/tenants.js';
import { DATABASE_URL, onServer, startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';
import { field, object } from '../helpers/packages.js';

// The tenant fence with connections that keep their role between requests.
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
    one = pinnedSessions(
      { client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } },
      new pg.Pool({ connectionString: DATABASE_URL, max: 1 }),
    );
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

// Embedded: one connection shared by platform work and every tenant. Tenant sessions leave their
// role on it; platform work must never run under that role, and a stale session must not run.
describe.skipIf(onServer)('embedded tenant sessions (PGlite)', () => {
  let te: TestEngine;
  let a: TestTenant;
  let b: TestTenant;
  const role = async (t: TestTenant) =>
    dbRoleOf((await te.engine.tenants.list()).find((x) => x.id === t.tenantId)!) as Ident;
  const currentUser = (db: { raw(s: string): Promise<{ rows: { u: string }[] }> }) =>
    db.raw('select current_user as u').then((r) => r.rows[0].u);

  beforeAll(async () => {
    te = await startEngine();
    const pkg = { objects: [object('note', [field('title', 'text')])] };
    a = await te.tenant(pkg, 'alpha');
    b = await te.tenant(pkg, 'beta');
    expect((await a.post('/api/v1/data/note', { title: 'alpha secret' })).status).toBe(201);
  });
  afterAll(() => te?.close());

  it('keeps the role between sessions of one tenant and switches it for another', async () => {
    const s = te.engine.db.tenant;
    const [ra, rb] = [await role(a), await role(b)];
    expect(await s.read(ra, currentUser)).toBe(ra);
    expect(await s.read(ra, (db) => db.withSchema(a.schema).from('note').pluck('title'))).toEqual([
      'alpha secret',
    ]);
    await expect(s.read(rb, (db) => db.withSchema(a.schema).from('note').select('id'))).rejects.toThrow(
      /permission denied/,
    );
    expect(await s.read(rb, currentUser)).toBe(rb);
  });

  it('platform work after a tenant session runs under the engine role, not the tenant role', async () => {
    const ra = await role(a);
    expect(await te.engine.db.tenant.read(ra, currentUser)).toBe(ra);
    const platformUser = await currentUser(te.engine.db.knex);
    expect(platformUser).not.toBe(ra);
    // …and can read what a tenant role cannot: every tenant's table.
    expect(await te.engine.db.knex.withSchema(b.schema).from('note').count('* as n')).toHaveLength(1);
    // The API keeps working across the switches in both directions.
    expect((await a.get('/api/v1/data/note')).body.data).toHaveLength(1);
    expect((await b.get('/api/v1/data/note')).body.data).toHaveLength(0);
  });

  it('refuses a query through a session that has ended', async () => {
    const knexOf = await te.engine.db.tenant.read(await role(a), async (db) => db);
    await expect(knexOf.withSchema(a.schema).from('note').select('id')).rejects.toThrow(
      /only inside a tenant session/,
    );
  });

  it('a failed write session rolls back and leaves the connection usable', async () => {
    const ra = await role(a);
    await expect(
      te.engine.db.tenant.write(ra, async (db) => {
        await db.withSchema(a.schema).table('note').insert({ title: 'never', owner: a.adminUserId });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const titles = await te.engine.db.tenant.read(ra, (db) =>
      db.withSchema(a.schema).from('note').pluck('title'),
    );
    expect(titles).toEqual(['alpha secret']);
  });
});
