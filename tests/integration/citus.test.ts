import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { pino } from 'pino';
import { createEngine, type Engine } from '../../engine/src/engine.js';
import { field, object, salesPackage } from '../helpers/packages.js';

/**
 * Schema-based sharding on a real Citus 12+ cluster (docker compose --profile citus, see
 * docs/scale.md). Runs only when CITUS_URL names the coordinator; skipped otherwise, and it was
 * skipped on the machine that wrote it (no Citus there).
 */
const CITUS_URL = process.env.CITUS_URL || undefined;

describe.skipIf(!CITUS_URL)('Citus: each tenant is a distributed schema (skipped: CITUS_URL not set)', () => {
  let engine: Engine;
  const tag = randomBytes(4).toString('hex');
  let schema: string;
  let token: string;
  const api = (method: 'get' | 'post' | 'put', path: string) =>
    request(engine.app)[method](`/api/v1${path}`).set('Authorization', `Bearer ${token}`);
  /** The colocation group of each table of the schema, as Citus records it. */
  const placement = async () =>
    (
      await engine.db.knex.raw(
        `select p.logicalrelid::text as tbl, p.colocationid, s.nodename, s.nodeport
           from pg_dist_partition p join citus_shards s on s.table_name = p.logicalrelid
          where p.logicalrelid::text like ? || '.%'`,
        [schema],
      )
    ).rows as { tbl: string; colocationid: number; nodename: string; nodeport: number }[];

  beforeAll(async () => {
    engine = await createEngine({
      databaseUrl: CITUS_URL,
      platformSchema: `cp_${tag}`,
      schemaPrefix: `ct${tag}_`,
      logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
      jobs: { start: false },
    });
    const made = await engine.tenants.create({ slug: 'citus', name: 'Citus', package: salesPackage() });
    schema = made.tenant.schema;
    token = made.token;
  }, 120_000);
  afterAll(async () => {
    if (!engine) return;
    for (const t of await engine.tenants.list()) await engine.tenants.drop(t);
    await engine.db.knex.raw('drop schema if exists ?? cascade', [engine.platform]);
    await engine.close();
  });

  it('distributes the new tenant schema: engine and object tables in one group on one worker', async () => {
    const dist = await engine.db.knex.raw(
      'select colocationid from pg_dist_schema where schemaid = ?::regnamespace',
      [schema],
    );
    expect(dist.rows).toHaveLength(1);
    const rows = await placement();
    expect(rows.map((r) => r.tbl)).toEqual(expect.arrayContaining([`${schema}.account`, `${schema}._users`]));
    expect(new Set(rows.map((r) => r.colocationid)).size).toBe(1);
    expect(new Set(rows.map((r) => `${r.nodename}:${r.nodeport}`)).size).toBe(1);
  });

  it('serves records, and a table a later deploy adds joins the same group', async () => {
    const made = await api('post', '/data/account').send({ name: 'Acme' }).expect(201);
    await api('put', '/meta/objects/contract')
      .send(object('contract', [field('title', 'text')]))
      .expect(201);
    const rows = await placement();
    expect(rows.map((r) => r.tbl)).toContain(`${schema}.contract`);
    expect(new Set(rows.map((r) => r.colocationid)).size).toBe(1);
    await api('get', `/data/account/${made.body.data.id}`).expect(200);
  });

  it('moves the tenant to the other worker with citus_move_shard_placement and still serves it', async () => {
    const [first] = await placement();
    const nodes = (
      await engine.db.knex.raw(
        "select nodename, nodeport from pg_dist_node where noderole = 'primary' and shouldhaveshards",
      )
    ).rows as { nodename: string; nodeport: number }[];
    const target = nodes.find((n) => n.nodename !== first.nodename || n.nodeport !== first.nodeport);
    expect(target).toBeDefined();
    const shard = await engine.db.knex.raw(
      'select shardid from citus_shards where table_name = ?::regclass',
      [`${schema}.account`],
    );
    // Moving one shard of a colocation group moves the whole group: the tenant's every table.
    await engine.db.knex.raw(
      "select citus_move_shard_placement(?, ?, ?, ?, ?, shard_transfer_mode => 'block_writes')",
      [shard.rows[0].shardid, first.nodename, first.nodeport, target!.nodename, target!.nodeport],
    );
    const after = await placement();
    expect(new Set(after.map((r) => `${r.nodename}:${r.nodeport}`))).toEqual(
      new Set([`${target!.nodename}:${target!.nodeport}`]),
    );
    const list = await api('get', '/data/account').expect(200);
    expect(list.body.data.map((r: { name: string }) => r.name)).toContain('Acme');
  });
});
