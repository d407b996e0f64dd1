import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, onServer, startEngine, type TestEngine } from '../helpers/engine.js';
import { field, salesPackage } from '../helpers/packages.js';

/**
 * Three engine processes on one Postgres server, as `WORKERS=3 npm start` runs them: a deploy
 * through one is served by the others within a second (NOTIFY), and a session signed in through
 * one works in the others until it is logged out, which they refuse within a second too.
 * Skipped on PGlite (one process only).
 */
const PASSWORD = 'multi-process-pw-1';
let te: TestEngine;
const children: ChildProcess[] = [];
let ports: number[] = [];

function startChild(platform: string): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../helpers/engine-child.ts')],
    {
      env: { ...process.env, DATABASE_URL, PLATFORM: platform },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /port (\d+)/.exec(out);
      if (m) ok(Number(m[1]));
    });
    child.on('exit', (code) => fail(new Error(`engine process exited with ${code}`)));
  });
}

const call = (port: number, path: string, token?: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });

/** Polls until `ok` or `ms` pass; returns how long it took (ms), or Infinity. */
async function within(ms: number, ok: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (await ok()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Infinity;
}

describe.skipIf(!onServer)('three engine processes on one server', () => {
  let token: string;
  beforeAll(async () => {
    te = await startEngine({ jobs: { start: false } });
    const created = await te.engine.tenants.create({
      slug: 'multi',
      name: 'Multi',
      package: salesPackage(),
      adminPassword: PASSWORD,
    });
    token = created.token;
    ports = await Promise.all([0, 1, 2].map(() => startChild(te.engine.platform)));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null) return r();
            c.removeAllListeners('exit');
            c.on('exit', () => r());
            c.kill('SIGTERM');
          }),
      ),
    );
    await te?.close();
  });

  it('serve a field deployed through one from all three within a second', async () => {
    const [a, b, c] = ports;
    const hasField = async (port: number) =>
      (await call(port, '/data/account?fields=name,tier&limit=1', token)).status === 200;
    // Each has the model compiled and cached, without the field.
    for (const p of ports) expect(await hasField(p)).toBe(false);
    const deployed = await call(a, '/meta/objects/account/fields', token, {
      method: 'POST',
      body: JSON.stringify(field('tier', 'text', { maxLength: 20 })),
    });
    expect(deployed.status).toBe(201);
    const took = await Promise.all([b, c].map((p) => within(1000, () => hasField(p))));
    expect(took.every((ms) => ms < 1000)).toBe(true);
    // A record written through one with the new field reads back through another.
    const made = await call(b, '/data/account', token, {
      method: 'POST',
      body: JSON.stringify({ name: 'Acme', tier: 'gold' }),
    });
    expect(made.status).toBe(201);
    const id = ((await made.json()) as { data: { id: string } }).data.id;
    const read = await call(c, `/data/account/${id}`, token);
    expect(((await read.json()) as { data: { tier: string } }).data.tier).toBe('gold');
  });

  it('propagate ten more deploys within a second each (times quoted in docs/performance.md)', async () => {
    const [a, b, c] = ports;
    const times: number[] = [];
    for (let i = 1; i <= 10; i++) {
      const name = `extra_${i}`;
      const deployed = await call(a, '/meta/objects/account/fields', token, {
        method: 'POST',
        body: JSON.stringify(field(name, 'text', { maxLength: 20 })),
      });
      expect(deployed.status).toBe(201);
      // From the deploy's answer (the NOTIFY went out at its commit) to the others serving it.
      const took = await Promise.all(
        [b, c].map((p) =>
          within(
            1000,
            async () => (await call(p, `/data/account?fields=${name}&limit=1`, token)).status === 200,
          ),
        ),
      );
      times.push(...took);
    }
    times.sort((x, y) => x - y);
    console.info(
      `deploy propagation over ${times.length}: min ${times[0].toFixed(1)} ms, median ${times[times.length >> 1].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`,
    );
    expect(times[times.length - 1]).toBeLessThan(1000);
  });

  it('accept a session made in one in all three, and refuse it in all after a logout in one', async () => {
    const [a, b, c] = ports;
    const login = await call(a, '/auth/login', undefined, {
      method: 'POST',
      body: JSON.stringify({ tenant: 'multi', username: 'admin', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const session = ((await login.json()) as { data: { access_token: string } }).data.access_token;
    // Each process now holds the session in its authenticator cache (30 s).
    for (const p of ports) expect((await call(p, '/me', session)).status).toBe(200);
    expect((await call(b, '/auth/logout', session, { method: 'POST' })).status).toBe(204);
    const refused = await Promise.all(
      [a, c].map((p) => within(1000, async () => (await call(p, '/me', session)).status === 401)),
    );
    expect(refused.every((ms) => ms < 1000)).toBe(true);
    expect((await call(b, '/me', session)).status).toBe(401);
  });

  it('refuse a revoked API token in every process within a second', async () => {
    const [a, b, c] = ports;
    const login = await call(a, '/auth/login', undefined, {
      method: 'POST',
      body: JSON.stringify({ tenant: 'multi', username: 'admin', password: PASSWORD }),
    });
    const session = ((await login.json()) as { data: { access_token: string } }).data.access_token;
    const made = await call(a, '/tokens', session, {
      method: 'POST',
      body: JSON.stringify({ label: 'integration', scopes: ['read'] }),
    });
    expect(made.status).toBe(201);
    const created = ((await made.json()) as { data: { id: string; token: string } }).data;
    for (const p of ports) expect((await call(p, '/data/account?limit=1', created.token)).status).toBe(200);
    expect((await call(c, `/tokens/${created.id}`, session, { method: 'DELETE' })).status).toBe(204);
    const refused = await Promise.all(
      [a, b, c].map((p) =>
        within(1000, async () => (await call(p, '/data/account?limit=1', created.token)).status === 401),
      ),
    );
    expect(refused.every((ms) => ms < 1000)).toBe(true);
  });

  it('share one sign-in allowance: five wrong passwords spread over three processes lock the account in all', async () => {
    const attempt = (port: number, password: string) =>
      call(port, '/auth/login', undefined, {
        method: 'POST',
        body: JSON.stringify({ tenant: 'multi', username: 'admin', password }),
      });
    for (let i = 0; i < 5; i++) expect((await attempt(ports[i % 3], 'wrong-password')).status).toBe(401);
    // Two wrong tries per process so far at most: per-process counters would still let these in.
    for (const p of ports) {
      const r = await attempt(p, PASSWORD);
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('converge after a lost notification: a LISTEN connection that dropped re-checks on reconnect', async () => {
    const [a, b, c] = ports;
    const hasField = async (port: number) =>
      (await call(port, '/data/account?fields=lost_one&limit=1', token)).status === 200;
    for (const p of [b, c]) expect(await hasField(p)).toBe(false);
    // Cut the LISTEN connections of this file's processes (named after their platform schema).
    const cut = await te.engine.db.knex.raw(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?',
      [`tessera-listen ${te.engine.platform}`],
    );
    expect(cut.rows.length).toBeGreaterThanOrEqual(3);
    // Deployed while they are down: the NOTIFY reaches nobody.
    const deployed = await call(a, '/meta/objects/account/fields', token, {
      method: 'POST',
      body: JSON.stringify(field('lost_one', 'text', { maxLength: 20 })),
    });
    expect(deployed.status).toBe(201);
    // They reconnect after 1 s and re-check every cached model: well before the 5 s fallback.
    const took = await Promise.all([b, c].map((p) => within(2000, () => hasField(p))));
    console.info(`after a lost notification: ${took.map((ms) => ms.toFixed(0)).join(' ms, ')} ms`);
    expect(took.every((ms) => ms < 2000)).toBe(true);
  });
});
