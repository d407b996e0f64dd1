import { AsyncLocalStorage } from 'node:async_hooks';
import knexFactory, { type Knex } from 'knex';
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
 * Embedded PGlite is one connection shared with platform work, so the role cannot stay on it:
 * every session is a transaction that sets the role locally (it ends with the transaction).
 */
export function transactionalSessions(knex: Knex): TenantSessions {
  const session = <T>(role: Ident, fn: (db: Knex) => Promise<T>) =>
    knex.transaction(async (trx) => {
      await trx.raw('select set_config(?, ?, true)', ['role', role]);
      return fn(trx);
    });
  return { read: session, write: session, close: async () => undefined };
}

type Conn = object;
interface PoolClient {
  acquireConnection(): Promise<Conn>;
  releaseConnection(c: Conn): Promise<void>;
}

/**
 * On a Postgres server, tenant work has a pool of its own whose connections keep the last role
 * they were given (session level). A request sets the role only when its connection last served
 * another tenant, so a read is one round trip instead of BEGIN, SET, query, COMMIT.
 *
 * The pool is pinned: its knex instance finds its connection in an AsyncLocalStorage that only
 * `read`/`write` fill, and refuses to run anywhere else, so no query can slip out under the role
 * another tenant left on a connection.
 */
export function pinnedSessions(config: Knex.Config): TenantSessions {
  const knex = knexFactory(config);
  const client = knex.client as unknown as PoolClient;
  const acquire = client.acquireConnection.bind(client);
  const release = client.releaseConnection.bind(client);
  const pinned = new AsyncLocalStorage<Conn>();
  const roleOf = new WeakMap<Conn, string>();
  client.acquireConnection = async () => {
    const conn = pinned.getStore();
    if (!conn) throw new Error('tenant tables are reachable only inside a tenant session');
    return conn;
  };
  client.releaseConnection = async () => undefined;

  async function session<T>(role: Ident, fn: () => Promise<T>): Promise<T> {
    const conn = await acquire();
    try {
      return await pinned.run(conn, async () => {
        if (roleOf.get(conn) !== role) {
          roleOf.delete(conn);
          // Session level (false): the role stays with the connection for the next request.
          await knex.raw('select set_config(?, ?, false)', ['role', role]);
          roleOf.set(conn, role);
        }
        return fn();
      });
    } finally {
      await release(conn);
    }
  }

  return {
    read: (role, fn) => session(role, () => fn(knex)),
    write: (role, fn) =>
      session(role, async () => {
        await knex.raw('begin');
        try {
          const out = await fn(knex);
          await knex.raw('commit');
          return out;
        } catch (e) {
          await knex.raw('rollback').catch(() => undefined);
          throw e;
        }
      }),
    close: () => knex.destroy(),
  };
}
