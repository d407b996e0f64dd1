import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import knexFactory from 'knex';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, onServer } from '../helpers/engine.js';
import { until } from '../helpers/until.js';

/** `WORKERS=N npm start`: a node:cluster primary and N engine processes on one port. */
const ROOT = resolve(import.meta.dirname, '../..');
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe('WORKERS', () => {
  it('is refused on the embedded database, with what to do instead', async () => {
    const dir = resolve(tmpdir(), `tessera-never-${randomBytes(4).toString('hex')}`);
    const r = run({ WORKERS: '2', TESSERA_DATA_DIR: dir });
    expect(await r.exited).toBe(1);
    // Refused before anything was made.
    expect(existsSync(dir)).toBe(false);
    expect(r.err()).toMatch(
      /^tessera: WORKERS is 2, but the embedded PGlite database can be opened by one process only: set DATABASE_URL/,
    );
  });

  describe.skipIf(!onServer)('on a Postgres server', () => {
    const db = `tessera_cluster_${randomBytes(4).toString('hex')}`;
    const admin = () => knexFactory({ client: 'pg', connection: DATABASE_URL });
    const dbUrl = () => {
      const u = new URL(DATABASE_URL!);
      u.pathname = `/${db}`;
      return u.toString();
    };
    afterAll(async () => {
      const k = admin();
      await k.raw('drop database if exists ?? with (force)', [db]);
      await k.destroy();
    });

    it('runs three engine processes on one port and stops them all on SIGTERM', async () => {
      const k = admin();
      await k.raw('create database ??', [db]);
      await k.destroy();
      const r = run({
        WORKERS: '3',
        DATABASE_URL: dbUrl(),
        TESSERA_DEMO_TOKEN: 'cluster-demo-token',
        LOG_LEVEL: 'info',
      });
      await until(async () => /engine processes serve the same port/.test(r.out()), 120_000);
      const port = Number(/"port":(\d+)/.exec(r.out())![1]);
      // Each engine process holds one LISTEN connection: three processes, three connections.
      const q = new pg.Client({ connectionString: dbUrl() });
      await q.connect();
      const listening = await q.query(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name like 'tessera-listen%'",
      );
      expect(listening.rows[0].n).toBe(3);
      // Fresh connections, spread over the workers: every one answers.
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/me`, {
          headers: { authorization: 'Bearer cluster-demo-token', connection: 'close' },
        });
        expect(res.status).toBe(200);
      }
      // Only the first worker seeded: one demo tenant.
      const tenants = await q.query('select count(*)::int as n from tessera.tenants');
      expect(tenants.rows[0].n).toBe(1);
      await q.end();
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
      expect(r.out().match(/"msg":"shutdown complete"/g)).toHaveLength(3);
    }, 180_000);
  });
});
