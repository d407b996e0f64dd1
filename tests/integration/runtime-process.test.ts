import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The engine as `npm start` runs it, in a process of its own (through tsx here; CI also runs
// the compiled build, see .ci/run).
const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = ['--import', 'tsx', 'engine/src/main.ts'];

interface Started {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  port: number;
  exited: Promise<{ code: number | null; stderr: string }>;
}

/** Every process started here, killed at the end if a failed test left it running. */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, MAIN, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const lines: Record<string, unknown>[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    let nl;
    while ((nl = stdout.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(stdout.slice(0, nl)) as Record<string, unknown>);
      stdout = stdout.slice(nl + 1);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((ok) =>
    child.on('exit', (code) => ok({ code, stderr })),
  );
  return { child, lines, exited };
}

/** Starts the engine and waits until it listens and has said how to reach the demo (its last line). */
async function start(env: Record<string, string>): Promise<Started> {
  const r = run({ PORT: '0', LOG_LEVEL: 'info', ...env });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const up = r.lines.find((l) => typeof l.port === 'number');
    if (up && r.lines.some((l) => String(l.msg).startsWith('API token:')))
      return { ...r, port: up.port as number };
    const early = await Promise.race([r.exited, new Promise((ok) => setTimeout(() => ok(null), 100))]);
    if (early) throw new Error(`engine exited: ${JSON.stringify(early)}`);
    if (Date.now() > deadline) throw new Error('engine did not start');
  }
}

const messages = (s: Started) => s.lines.map((l) => String(l.msg));
const stop = async (s: Started) => {
  s.child.kill('SIGTERM');
  return s.exited;
};

describe('configuration is checked at start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cfg-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    [{ PORT: 'abc' }, /^tessera: PORT is "abc": it must be a port number from 1 to 65535/],
    [
      { DATABASE_URL: 'mysql://root@db/crm' },
      /^tessera: DATABASE_URL starts with "mysql:\/\/": write it as postgres:\/\//,
    ],
    [{ LOG_LEVEL: 'loud' }, /^tessera: LOG_LEVEL is "loud": use one of fatal, error, warn, info/],
    [
      { DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:1/test' },
      /^tessera: Cannot connect to DATABASE_URL postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test: nothing answers on that host and port/,
    ],
  ])('%j: exits non-zero with one line saying what to fix', async (env, line) => {
    const { exited, lines } = run({ TESSERA_DATA_DIR: dataDir, ...env });
    const { code, stderr } = await exited;
    expect(code).not.toBe(0);
    expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);
    expect(stderr).toMatch(line);
    expect(stderr).not.toContain(':pw@');
    expect(lines.some((l) => String(l.msg).startsWith('Tessera is running'))).toBe(false);
  });
});

describe('start, stop, start again on the same data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const api = (s: Started, path: string, token: string) =>
    fetch(`http://127.0.0.1:${s.port}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });

  it('seeds the demo once, mints no token on restart, and stops cleanly on SIGTERM', async () => {
    const first = await start({ TESSERA_DATA_DIR: dataDir });
    expect(messages(first)).toContain('created the demo tenant "demo" (only on an empty database)');
    const token = /^API token: (tsr_\S+)$/.exec(
      messages(first).find((m) => m.startsWith('API token: tsr_')) ?? '',
    )?.[1];
    expect(token).toBeTruthy();
    const tokens = (await (await api(first, '/tokens', token!)).json()) as { data: unknown[] };
    const accounts = (await (await api(first, '/data/account', token!)).json()) as { data: unknown[] };
    expect(accounts.data.length).toBeGreaterThan(0);
    const ready = await fetch(`http://127.0.0.1:${first.port}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const exit1 = await stop(first);
    expect(exit1.code).toBe(0);
    expect(messages(first)).toContain('shutdown complete');

    const second = await start({ TESSERA_DATA_DIR: dataDir });
    const said = messages(second);
    expect(said).toContain('the demo tenant "demo" exists (created at the first start)');
    expect(said.join('\n')).not.toMatch(/tsr_|password [A-Za-z0-9_-]{8,}/);
    // The first start's token still works, and nothing new was issued.
    const again = await api(second, '/tokens', token!);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { data: unknown[] }).data).toEqual(tokens.data);
    const sameData = (await (await api(second, '/data/account', token!)).json()) as { data: unknown[] };
    expect(sameData.data).toHaveLength(accounts.data.length);
    expect((await stop(second)).code).toBe(0);

    // A token chosen in the environment is added to the existing demo admin.
    const third = await start({ TESSERA_DATA_DIR: dataDir, TESSERA_DEMO_TOKEN: 'chosen-demo-token' });
    expect(messages(third)).toContain('API token: chosen-demo-token');
    expect((await api(third, '/me', 'chosen-demo-token')).status).toBe(200);
    expect((await stop(third)).code).toBe(0);
  }, 300_000); // three starts of a real process, the first one seeding, on a busy machine
});
