import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import type { PackageDef } from '../../engine/src/core/model.js';
import { createEngine, type Engine, type EngineConfig } from '../../engine/src/engine.js';

/** Which database this run uses: the server in DATABASE_URL, or PGlite in memory. */
export const DATABASE_URL = process.env.DATABASE_URL || undefined;
export const onServer = !!DATABASE_URL;

export interface TestTenant {
  token: string;
  slug: string;
  schema: string;
  tenantId: string;
  adminUserId: string;
  /** supertest agent-like helpers with the tenant's bearer token. */
  get(path: string): request.Test;
  post(path: string, body?: unknown): request.Test;
  patch(path: string, body?: unknown): request.Test;
  put(path: string, body?: unknown): request.Test;
  del(path: string): request.Test;
}

export interface TestEngine {
  engine: Engine;
  tenant(pkg: PackageDef, slug?: string): Promise<TestTenant>;
  close(): Promise<void>;
}

/**
 * An engine of its own for one test file. On the server each file gets fresh, uniquely named
 * platform and tenant schemas (dropped at the end), so files can run side by side.
 */
export async function startEngine(extra: Partial<EngineConfig> = {}): Promise<TestEngine> {
  const tag = randomBytes(4).toString('hex');
  const engine = await createEngine({
    databaseUrl: DATABASE_URL,
    platformSchema: onServer ? `tp_${tag}` : 'tessera',
    schemaPrefix: onServer ? `tt${tag}_` : 't_',
    poolSize: 8,
    // Tests are quiet; LOG_LEVEL=debug shows the engine's log lines while debugging one.
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    ...extra,
  });
  let n = 0;
  return {
    engine,
    async tenant(pkg, slug) {
      const s = slug ?? `t${++n}`;
      const { tenant, token, adminUserId } = await engine.tenants.create({
        slug: s,
        name: `Test ${s}`,
        package: pkg,
      });
      const auth = (t: request.Test) => t.set('Authorization', `Bearer ${token}`);
      return {
        token,
        slug: s,
        schema: tenant.schema,
        tenantId: tenant.id,
        adminUserId,
        get: (p) => auth(request(engine.app).get(p)),
        post: (p, b) => auth(request(engine.app).post(p)).send(b as object),
        patch: (p, b) => auth(request(engine.app).patch(p)).send(b as object),
        put: (p, b) => auth(request(engine.app).put(p)).send(b as object),
        del: (p) => auth(request(engine.app).delete(p)),
      };
    },
    async close() {
      if (onServer) {
        const tenants = await engine.tenants.list();
        for (const t of tenants) await engine.tenants.drop(t);
        await engine.db.knex.raw('drop schema if exists ?? cascade', [engine.platform]);
      }
      await engine.close();
    },
  };
}
