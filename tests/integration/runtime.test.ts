import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../engine/src/engine.js';
import { serve } from '../../engine/src/runtime/serve.js';
import { salesPackage } from '../helpers/packages.js';
import { startEngine, type TestEngine, type TestTenant } from '../helpers/engine.js';

/** A logger whose lines land in an array, to read what the engine logged. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { lines, logger };
}
const requestLines = (lines: Record<string, unknown>[]) => lines.filter((l) => 'responseTime' in l);

describe('request logs', () => {
  let te: TestEngine;
  let t: TestTenant;
  const log = capture();
  beforeAll(async () => {
    te = await startEngine({ logger: log.logger });
    t = await te.tenant(salesPackage());
  });
  afterAll(() => te?.close());

  it('one line per request: request id, tenant, user, method, path, status, time', async () => {
    log.lines.length = 0;
    const res = await t.get('/api/v1/data/account?filter=' + encodeURIComponent('{"name":{"eq":"secret"}}'));
    expect(res.status).toBe(200);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((ok) => setImmediate(ok));
    const lines = requestLines(log.lines);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      reqId: id,
      tenant: t.slug,
      user: t.adminUserId,
      req: { method: 'GET', url: '/api/v1/data/account' },
      res: { statusCode: 200 },
      msg: 'request completed',
    });
    expect(typeof lines[0].responseTime).toBe('number');
    // Neither the query string (personal data) nor the Authorization header reaches the log.
    expect(JSON.stringify(lines[0])).not.toContain('secret');
    expect(JSON.stringify(log.lines)).not.toContain(t.token);
  });

  it('honours a sane incoming X-Request-Id and replaces anything else', async () => {
    const kept = await t.get('/api/v1/me').set('X-Request-Id', 'edge-7f3a.42:1');
    expect(kept.headers['x-request-id']).toBe('edge-7f3a.42:1');
    for (const bad of ['has space', 'x'.repeat(129), '<script>', 'a"b']) {
      const res = await t.get('/api/v1/me').set('X-Request-Id', bad);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const problem = await request(te.engine.app).get('/api/v1/me').set('X-Request-Id', 'trace-1');
    expect(problem.status).toBe(401);
    expect(problem.body.instance).toBe('trace-1');
    await new Promise((ok) => setImmediate(ok));
    expect(requestLines(log.lines).find((l) => l.reqId === 'trace-1')).toMatchObject({
      res: { statusCode: 401 },
    });
  });

  it('an unexpected error: its stack in the log, never in the response', async () => {
    log.lines.length = 0;
    // The table vanishes behind the engine's back: the database refuses with a code nothing maps.
    await te.engine.db.knex.raw('alter table ??.account rename to gone', [t.schema]);
    try {
      const res = await t.get('/api/v1/data/account').set('X-Request-Id', 'boom-1');
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ code: 'INTERNAL', instance: 'boom-1' });
      const body = JSON.stringify(res.body);
      expect(body).not.toMatch(/account|relation|at .*\.ts|stack/i);
      await new Promise((ok) => setImmediate(ok));
      const line = requestLines(log.lines).find((l) => l.reqId === 'boom-1') as {
        level: number;
        err: { message: string; stack: string };
        res: { statusCode: number };
      };
      expect(line.level).toBe(50);
      expect(line.res.statusCode).toBe(500);
      expect(line.err.message).toMatch(/account/);
      expect(line.err.stack).toMatch(/\n\s+at /);
    } finally {
      await te.engine.db.knex.raw('alter table ??.gone rename to account', [t.schema]);
    }
  });

  it('probes log at debug level only', async () => {
    log.lines.length = 0;
    await request(te.engine.app).get('/health').expect(200);
    await new Promise((ok) => setImmediate(ok));
    expect(requestLines(log.lines)).toEqual([
      expect.objectContaining({ level: 20, req: { method: 'GET', url: '/health' } }),
    ]);
  });
});

describe('/health and /ready', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({});
  });
  afterAll(() => engine?.close());

  it('/health answers while the process lives; /ready runs every check', async () => {
    expect((await request(engine.app).get('/health')).body).toEqual({ status: 'ok' });
    const ready = await request(engine.app).get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('a failing check makes /ready 503, naming the check but not the reason', async () => {
    engine.readiness.add('migrations', () => {
      throw new Error('secret reason');
    });
    engine.readiness.add('jobs', () => false);
    const res = await request(engine.app).get('/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'unavailable',
      checks: { database: 'ok', migrations: 'failed', jobs: 'failed' },
    });
    expect(JSON.stringify(res.body)).not.toContain('secret');
    engine.readiness.add('migrations', () => true);
    engine.readiness.add('jobs', async () => undefined);
    expect((await request(engine.app).get('/ready')).status).toBe(200);
  });

  it('the database check asks the database: closed, it fails', async () => {
    const other = await createEngine({});
    const app = other.app;
    expect((await request(app).get('/ready')).status).toBe(200);
    await other.close();
    const res = await request(app).get('/ready');
    expect(res.status).toBe(503);
    expect(res.body.checks.database).toBe('failed');
    expect((await request(app).get('/health')).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  /** An engine served on a free port, with one route the test holds open until it says so. */
  async function slowServer(shutdownTimeoutMs: number) {
    const log = capture();
    const engine = await createEngine({ logger: log.logger });
    const events: string[] = [];
    engine.onClose('first', async () => {
      await new Promise((ok) => setTimeout(ok, 20));
      events.push('first stopped');
    });
    engine.onClose('second', () => {
      events.push('second stopped');
      throw new Error('second failed to stop');
    });
    let release!: () => void;
    const held = new Promise<void>((ok) => (release = ok));
    let started!: () => void;
    const arrived = new Promise<void>((ok) => (started = ok));
    const app = express();
    app.get('/slow', async (_req, res) => {
      started();
      await held;
      // The database is still open for a request that began before the shutdown.
      const { rows } = (await engine.db.knex.raw('select 41 + 1 as answer')) as {
        rows: { answer: number }[];
      };
      events.push('slow answered');
      res.json({ answer: rows[0].answer });
    });
    app.use(engine.app);
    const serving = await serve(engine, { port: 0, host: '127.0.0.1', shutdownTimeoutMs }, app);
    const url = `http://127.0.0.1:${serving.port}`;
    return { engine, serving, url, events, release, arrived, log };
  }

  const refused = (port: number) =>
    new Promise<boolean>((ok) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), ok(false)));
      s.once('error', () => ok(true));
    });

  it('stops accepting, lets the request in flight finish, then stops background work and closes the database', async () => {
    const s = await slowServer(10_000);
    const inFlight = fetch(`${s.url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await s.arrived;
    const shutdown = s.serving.shutdown('test');
    expect(s.serving.shutdown('again')).toBe(shutdown);
    expect(await refused(s.serving.port)).toBe(true);
    await new Promise((ok) => setTimeout(ok, 200));
    expect(s.events).toEqual([]); // nothing stopped while the request runs
    s.release();
    expect(await inFlight).toEqual({ status: 200, body: { answer: 42 } });
    await shutdown;
    // Last registered stops first; one failing does not keep the database open.
    expect(s.events).toEqual(['slow answered', 'second stopped', 'first stopped']);
    expect(s.log.lines.find((l) => l.stopper === 'second')).toMatchObject({
      level: 50,
      msg: 'background work failed to stop',
    });
    await expect(s.engine.db.knex.raw('select 1')).rejects.toThrow();
    expect(s.log.lines.map((l) => l.msg)).toContain('shutdown complete');
  });

  it('waits no longer than the timeout for a request that does not finish', async () => {
    const s = await slowServer(300);
    const inFlight = fetch(`${s.url}/slow`).then(
      (r) => r.status,
      () => 'cut',
    );
    await s.arrived;
    const began = Date.now();
    await s.serving.shutdown('test');
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(await inFlight).toBe('cut');
    expect(s.log.lines.map((l) => l.msg)).toContain(
      'requests still running after the shutdown timeout: closing their connections',
    );
    s.release();
  });

  it('a keep-alive connection is closed as soon as its request is answered', async () => {
    const s = await slowServer(10_000);
    const keepAlive = new Agent({ keepAlive: true });
    const inFlight = new Promise<number>((ok, fail) =>
      get(`${s.url}/slow`, { agent: keepAlive }, (r) => {
        r.resume();
        r.on('end', () => ok(r.statusCode ?? 0));
      }).on('error', fail),
    );
    await s.arrived;
    const shutdown = s.serving.shutdown('test');
    s.release();
    expect(await inFlight).toBe(200);
    const answered = Date.now();
    await shutdown;
    // Not the server's 5 s keep-alive timeout: the idle connection is closed at once.
    expect(Date.now() - answered).toBeLessThan(2_500);
    keepAlive.destroy();
  });
});
