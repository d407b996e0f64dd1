import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { embeddedSessions, pinnedSessions, type TenantSessions } from './tenant-sessions.js';
import { pgliteTimestamptz, TIMESTAMPTZ_OID } from './timestamps.js';

export interface Database {
  /** Platform work (tenants, metadata, deploys, sessions) under the engine's own role. */
  knex: Knex;
  /** Work on tenants' tables, always under the tenant's role. */
  tenant: TenantSessions;
  kind: 'pglite' | 'postgres';
  /** Connection string for a dedicated LISTEN connection (server only). */
  url?: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… to use a Postgres server; absent → embedded PGlite. */
  url?: string;
  /** PGlite data folder; absent → in memory (tests). */
  dataDir?: string;
  poolSize?: number;
  /** Named prepared statements kept per connection, server or PGlite (least recently used evicted). */
  statementCacheSize?: number;
  /** Where knex's own warnings go (a failed connection, a deprecation); absent → knex's console. */
  log?: Knex.Logger;
}

// Dates stay 'YYYY-MM-DD' strings (no time-zone shift); bigint counts become numbers.
const DATE_OID = 1082;
const INT8_OID = 20;
const asIs = (v: string) => v;
pg.types.setTypeParser(DATE_OID, asIs);
pg.types.setTypeParser(INT8_OID, (v: string) => Number(v));

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const size = opts.poolSize ?? 16;
    const config = (max: number): Knex.Config => ({
      client: 'pg',
      connection: { connectionString: opts.url, application_name: 'tessera' },
      pool: { min: 0, max },
      acquireConnectionTimeout: 30_000,
      ...(opts.log ? { log: opts.log } : {}),
    });
    // Requests mostly hit tenant tables; platform work (auth misses, deploys) needs fewer.
    const knex = knexFactory(config(Math.max(2, Math.ceil(size / 2))));
    await knex.raw('select 1');
    const sessionPool = new pg.Pool({
      connectionString: opts.url,
      application_name: 'tessera',
      max: size,
      // As knex's acquireConnectionTimeout: how long a request waits for a free connection.
      connectionTimeoutMillis: 30_000,
    });
    // An idle connection that breaks (a server restart) leaves the pool; unheard, the error
    // would end the process.
    sessionPool.on('error', () => undefined);
    // The sessions' knex only builds and runs statements on the connections above: its own pool
    // is never asked (tenant-sessions refuses it).
    const tenant = pinnedSessions(config(1), sessionPool, opts.statementCacheSize);
    return {
      knex,
      tenant,
      kind: 'postgres',
      url: opts.url,
      close: async () => {
        await tenant.close();
        await knex.destroy();
      },
    };
  }
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir: opts.dataDir,
    extensions: { pg_trgm },
    parsers: { [DATE_OID]: asIs, [INT8_OID]: (v: string) => Number(v), [TIMESTAMPTZ_OID]: pgliteTimestamptz },
  });
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
    ...(opts.log ? { log: opts.log } : {}),
  });
  return {
    knex,
    tenant: embeddedSessions(knex, opts.statementCacheSize),
    kind: 'pglite',
    close: () => knex.destroy(),
  };
}
