import knexFactory, { type Knex } from 'knex';
import type pg from 'pg';
import { LRUCache } from 'lru-cache';
import type { PGlite } from '@electric-sql/pglite';
import { PgliteStatements } from './pglite-statements.js';
import { ISO_TIMES_PG } from './timestamps.js';
import type { Ident } from '../core/ident.js';

/**
 * Every query on a tenant's tables runs under the tenant's database role, the database's own
 * fence between tenants. This module is the only way to get a connection for such queries.
 *
 * - `read(role, fn)`: statements under the role, no transaction (each statement is atomic and
 *   READ COMMITTED would give every statement its own snapshot anyway).
 * - `write(role, fn)`: one transaction under the role.
 */
export interface TenantSessions {
  read<T>(role: Ident, fn: (db: Knex) => Promise<T>): Promise<T>;
  write<T>(role: Ident, fn: (db: Knex) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Embedded PGlite is one connection shared with platform work. A tenant session leaves its role on
 * that connection (session level), so the next request of the same tenant sends no SET and needs
 * no transaction; platform work that takes the connection resets the role first.
 */
export function embeddedSessions(
  knex: Knex,
  maxStatements = DEFAULT_STATEMENTS_PER_CONNECTION,
): TenantSessions {
  // No per-query parsers on PGlite: isoTimes marks are dropped there (see pgliteTimestamptz).
  // Statements of a fixed shape run as named statements (db/pglite-statements.ts).
  const named = new WeakMap<Conn, PgliteStatements>();
  return keptRoleSessions(knex, {
    shared: true,
    embedded: (conn) => {
      let n = named.get(conn);
      if (!n) named.set(conn, (n = new PgliteStatements(conn as PGlite, maxStatements)));
      return n;
    },
  });
}

type Conn = object;
const outsideSession = () => new Error('tenant tables are reachable only inside a tenant session');
interface QueryObject {
  sql: string;
  options?: Record<string, unknown>;
}
interface PoolClient {
  acquireConnection(): Promise<Conn>;
  releaseConnection(c: Conn): Promise<void>;
  _query(c: Conn, obj: QueryObject): Promise<unknown>;
}

/**
 * A query builder marked with `prepared(qb)` runs as a named prepared statement where the
 * connection supports it (a Postgres server): Postgres parses and plans its text once per
 * connection instead of on every request. Only for statements of a fixed shape (get by id, load,
 * write of one record), so the count per connection stays small.
 */
export const prepared = <Q extends Knex.QueryBuilder | Knex.Raw>(qb: Q): Q =>
  qb.options({ prepare: true }) as Q;

/**
 * A record read marked with `isoTimes(qb)` gets its `timestamptz` columns as the API's ISO text
 * (db/timestamps.ts), not as Dates the catalog would format back. Only for rows that go straight
 * to the API's records: other readers (stage history, approvals, jobs) keep their Dates. On a
 * Postgres server only: PGlite reads Dates (see pgliteTimestamptz).
 */
export const isoTimes = <Q extends Knex.QueryBuilder | Knex.Raw>(qb: Q): Q =>
  qb.options({ isoTimes: true }) as Q;

/** Named statements kept per connection unless configured otherwise (EngineConfig.statementCacheSize). */
export const DEFAULT_STATEMENTS_PER_CONNECTION = 300;
/** Postgres refuses a cached plan whose columns changed (a deploy altered the table): re-parse. */
const PLAN_CHANGED = '0A000';

/** What pg's client keeps about the statements it parsed on a connection (its own bookkeeping). */
interface PgStatements {
  connection?: { parsedStatements?: Record<string, string> };
}

/**
 * Statement names per connection: one per SQL text, the least recently used evicted beyond
 * `max`. Every tenant has its own statement texts (the schema is in them), so without eviction
 * the first tenants served would keep every slot and the server would hold their plans forever.
 * An evicted name is deallocated on its connection when the next session takes it (the
 * connection is idle then, never inside someone's transaction).
 */
function statementNames(max: number) {
  const perConn = new WeakMap<Conn, { bySql: LRUCache<string, string>; made: number; stale: string[] }>();
  const of = (conn: Conn) => {
    let c = perConn.get(conn);
    if (!c) {
      const stale: string[] = [];
      // lru-cache: recency on every get and a dispose hook on eviction and delete, well tested.
      const bySql = new LRUCache<string, string>({ max, dispose: (name) => stale.push(name) });
      perConn.set(conn, (c = { bySql, made: 0, stale }));
    }
    return c;
  };
  return {
    nameFor(conn: Conn, sql: string) {
      const c = of(conn);
      let name = c.bySql.get(sql);
      if (!name) c.bySql.set(sql, (name = `tessera_${++c.made}`));
      return name;
    },
    /**
     * A deploy changed a table under this connection's statements: every name on it is retired
     * (deallocated at the next session), not just the one that failed, since other statements on
     * the same table would fail next, one retry each. The next runs parse under new names.
     */
    forget(conn: Conn) {
      perConn.get(conn)?.bySql.clear();
    },
    /** Whether names evicted on this connection wait to be deallocated (a check, no await). */
    hasStale: (conn: Conn) => (perConn.get(conn)?.stale.length ?? 0) > 0,
    /** Deallocates the names evicted on this connection; run while the session owns it, before its work. */
    async release(conn: Conn) {
      const c = perConn.get(conn);
      if (!c?.stale.length) return;
      const parsed = (conn as PgStatements).connection?.parsedStatements ?? {};
      // A name whose parse failed never existed on the server: nothing to deallocate.
      const names = c.stale.splice(0).filter((n) => parsed[n] !== undefined);
      if (!names.length) return;
      await (conn as RawConnection).query({ text: deallocateSql(names), values: [] });
      for (const n of names) delete parsed[n];
    },
  };
}
const STATEMENT_NAME = /^tessera_[0-9]+$/;
/** DEALLOCATE of names minted above (`tessera_<n>`, checked again here): never user input. */
function deallocateSql(names: string[]): string {
  if (!names.every((n) => STATEMENT_NAME.test(n))) throw new Error('not a statement name of this module');
  return names.map((n) => `deallocate ${n}`).join('; ');
}
type StatementNames = ReturnType<typeof statementNames>;

/**
 * Takes the marks off queries. `prepare`: with `names` (a Postgres server), the query runs as a
 * named statement on its connection; without (PGlite, which has none), the mark is dropped.
 * `isoTimes`: the query gets `times`, the driver's per-query parsers (pg's `types`); without
 * (PGlite), the mark is dropped.
 */
function handleMarks(client: PoolClient, times: object | undefined, names?: StatementNames) {
  const run = client._query.bind(client);
  client._query = async (conn, obj) => {
    if (!obj.options?.prepare && !obj.options?.isoTimes) return run(conn, obj);
    const { prepare, isoTimes: iso, ...rest } = obj.options;
    const options = iso && times ? { ...rest, ...times } : rest;
    const name = prepare ? names?.nameFor(conn, obj.sql) : undefined;
    try {
      return await run(conn, { ...obj, options: name ? { ...options, name } : options });
    } catch (e) {
      if (planChanged(e)) names?.forget(conn);
      throw e;
    }
  };
}

type Row = Record<string, unknown>;
/**
 * Runs a prepared statement (`$n` placeholders) straight on the session's connection; `iso`: a
 * record read, its timestamptz columns as ISO text (see isoTimes).
 */
export type DirectQuery = (text: string, values: readonly unknown[], iso?: boolean) => Promise<Row[]>;
const directQueries = new WeakMap<Knex, DirectQuery>();

/**
 * The session's direct path to its connection (pg's client on a server, the PGlite instance
 * embedded): for statements whose text is already built (records/statement-shapes.ts), knex's
 * runner, pool and binding passes are pure overhead. Undefined outside a session.
 */
export const directQueryOf = (db: Knex): DirectQuery | undefined => directQueries.get(db);

/** Tries of one session whose statements met plans a deploy invalidated (one per pooled connection, at most). */
const PLAN_RETRIES = 4;
const planChanged = (e: unknown) => (e as { code?: string })?.code === PLAN_CHANGED;

/**
 * On a Postgres server, tenant work has a pool of its own whose connections keep the last role
 * they were given (session level). A request sets the role only when its connection last served
 * another tenant, so a read is one round trip instead of BEGIN, SET, query, COMMIT.
 *
 * The pool is pinned: a session hands out a knex bound to its connection, and the pool itself
 * refuses every query, so no query can slip out under the role another tenant left behind.
 */
export function pinnedSessions(
  config: Knex.Config,
  pool: pg.Pool,
  maxStatements = DEFAULT_STATEMENTS_PER_CONNECTION,
): TenantSessions {
  return keptRoleSessions(knexFactory(config), {
    shared: false,
    times: { types: ISO_TIMES_PG },
    names: statementNames(maxStatements),
    // pg's own pool hands out the connections: knex's (tarn, with a timer per acquire) cost
    // three times as much per request, and knex here only builds and runs statements.
    pool: {
      acquire: () => pool.connect(),
      release: (c) => (c as pg.PoolClient).release(),
      close: () => pool.end(),
    },
  });
}

/** Where sessions take their connections when not from knex's own pool. */
interface ConnectionPool {
  acquire(): Promise<Conn>;
  /** Back to the pool; pg's pool drops a connection that broke. */
  release(c: Conn): void;
  close(): Promise<void>;
}

type QueryConfig = { name?: string; text: string; values: unknown[]; types?: unknown };
/** A connection's own query method: pg's client on a server, the PGlite instance embedded. */
interface RawConnection {
  query(text: string | QueryConfig): Promise<{ rows: Row[] }>;
  /** pg's callback form (a server's connections only). */
  query(config: QueryConfig, done: (e: Error | null, r: { rows: Row[] }) => void): void;
}

/**
 * A query's rows through pg's callback form: its promise form cost a batch of 1,000 creates
 * ~1,500 us more engine CPU (same-minute pairs, docs/performance.md round 7).
 */
const rowsOf = (conn: RawConnection, config: QueryConfig) =>
  new Promise<Row[]>((resolve, reject) => conn.query(config, (e, r) => (e ? reject(e) : resolve(r.rows))));

/**
 * Sessions on connections that keep the tenant role between sessions.
 * - `shared: false` (server): the pool serves only sessions; any other query is refused.
 * - `shared: true` (PGlite): platform work shares the one connection; taking it outside a
 *   session resets the role, so platform work never runs under a tenant's role.
 * A query through a session's knex after the session ended is refused in both.
 */
function keptRoleSessions(
  knex: Knex,
  o: {
    shared: boolean;
    /** The driver's per-query parsers for `isoTimes` reads (db/timestamps.ts); none: marks dropped. */
    times?: { types: typeof ISO_TIMES_PG };
    /** PGlite: the named statements of the connection, for the direct path. */
    embedded?: (conn: Conn) => PgliteStatements;
    names?: StatementNames;
    pool?: ConnectionPool;
  },
): TenantSessions {
  const client = knex.client as unknown as PoolClient;
  const acquire = o.pool ? o.pool.acquire : client.acquireConnection.bind(client);
  const release = o.pool ? async (c: Conn) => o.pool!.release(c) : client.releaseConnection.bind(client);
  const roleOf = new WeakMap<Conn, string>();
  // Connections handed to platform work (shared mode only).
  const platform = new WeakSet<Conn>();
  if (o.shared) {
    client.acquireConnection = async () => {
      const conn = await acquire();
      if (roleOf.has(conn)) {
        roleOf.delete(conn);
        await (conn as RawConnection).query('reset role');
      }
      platform.add(conn);
      return conn;
    };
    client.releaseConnection = async (conn) => {
      platform.delete(conn);
      return release(conn);
    };
  } else {
    // Every legitimate query carries its session's connection (see boundTo); one that does not
    // would take any pooled connection, with whatever role it kept, so it is refused.
    client.acquireConnection = async () => {
      throw outsideSession();
    };
    client.releaseConnection = async () => undefined;
  }
  handleMarks(client, o.times, o.names);
  // A query through a session's knex after the session ended finds its connection back in the
  // pool: refused too.
  const leased = new WeakSet<Conn>();
  const run = client._query.bind(client);
  client._query = (conn, obj) => {
    if (!leased.has(conn) && !platform.has(conn)) throw outsideSession();
    return run(conn, obj);
  };
  const direct =
    (conn: RawConnection): DirectQuery =>
    async (text, values, iso) => {
      if (!leased.has(conn)) throw outsideSession();
      try {
        // PGlite: its own named statements; a server's pg: one named config, ISO times if asked.
        if (o.embedded) return await o.embedded(conn).run(text, values);
        // One object shape for every call (pg copies the config per query).
        const types = iso ? o.times?.types : undefined;
        const config = { name: o.names?.nameFor(conn, text), text, values: values as unknown[], types };
        return await rowsOf(conn, config);
      } catch (e) {
        if (planChanged(e)) {
          o.names?.forget(conn);
          o.embedded?.(conn).forget();
        }
        throw e;
      }
    };

  // A connection's bound knex and its direct path, made once per connection: both refuse work
  // whenever the connection is not leased to a session, so reusing them across sessions is safe.
  const bound = new WeakMap<Conn, Knex>();
  const boundOf = (conn: Conn) => {
    let db = bound.get(conn);
    if (!db) {
      db = boundTo(knex, conn);
      directQueries.set(db, direct(conn as RawConnection));
      bound.set(conn, db);
    }
    return db;
  };

  /**
   * A statement whose plan a deploy invalidated failed, and its transaction with it: run `fn`
   * again. The failing connection's statements are all retired, so each connection fails at most
   * once per deploy; the next try may take another connection that still has old plans.
   */
  async function session<T>(role: Ident, fn: (db: Knex) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(role, fn);
      } catch (e) {
        if (!planChanged(e) || attempt >= PLAN_RETRIES) throw e;
      }
    }
  }

  async function once<T>(role: Ident, fn: (db: Knex) => Promise<T>): Promise<T> {
    const conn = await acquire();
    leased.add(conn);
    try {
      if (o.names?.hasStale(conn)) await o.names.release(conn);
      const db = boundOf(conn);
      if (roleOf.get(conn) !== role) {
        roleOf.delete(conn);
        // Session level (false): the role stays with the connection for the next request.
        await db.raw('select set_config(?, ?, false)', ['role', role]);
        roleOf.set(conn, role);
      }
      return await fn(db);
    } finally {
      leased.delete(conn);
      await release(conn);
    }
  }

  return {
    read: (role, fn) => session(role, fn),
    write: (role, fn) =>
      session(role, async (db) => {
        await db.raw('begin');
        try {
          const out = await fn(db);
          await db.raw('commit');
          return out;
        } catch (e) {
          await db.raw('rollback').catch(() => undefined);
          throw e;
        }
      }),
    close: async () => {
      await o.pool?.close();
      await knex.destroy();
    },
  };
}

/** Something knex can run: a query builder or a raw statement. */
interface Runnable {
  client: unknown;
  then: unknown;
  connection?: (c: Conn) => unknown;
  _connection?: Conn;
}
const isRunnable = (x: unknown): x is Runnable =>
  typeof x === 'object' && x !== null && 'client' in x && typeof (x as Runnable).then === 'function';

/**
 * The session's knex: every builder or raw statement made through it runs on `conn` (knex's
 * documented `.connection()`; a raw statement takes the same field its runner reads). A query
 * made any other way reaches the pool, which refuses it.
 */
function boundTo(knex: Knex, conn: Conn): Knex {
  const pin = <T>(x: T): T => {
    if (isRunnable(x)) {
      if (typeof x.connection === 'function') x.connection(conn);
      else x._connection = conn;
    }
    return x;
  };
  return new Proxy(knex, {
    apply: (target, self, args: unknown[]) => pin(Reflect.apply(target, self, args)),
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => pin((v as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}
