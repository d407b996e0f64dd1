import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, databaseConnectError, loadConfig, redactUrl } from '../../engine/src/runtime/config.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-config-'));
const base = { TESSERA_DATA_DIR: dataDir };
const fails = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('runtime configuration', () => {
  it('defaults: port 3000, PGlite in the data dir, info logs, demo on, bounded caches', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      dataDir,
      logLevel: 'info',
      demo: true,
      modelCacheSize: 500,
      statementCacheSize: 300,
      shutdownTimeoutMs: 10_000,
      workers: 1,
    });
  });

  it('WORKERS: several engine processes on a Postgres server, never on PGlite', () => {
    const url = 'postgres://u:p@db.example:5432/crm';
    expect(loadConfig({ ...base, WORKERS: '3', DATABASE_URL: url }).workers).toBe(3);
    expect(fails({ WORKERS: '2' })).toMatch(/WORKERS is 2.*PGlite.*one process only.*DATABASE_URL/);
    expect(fails({ WORKERS: '0', DATABASE_URL: url })).toMatch(/WORKERS is "0"/);
    expect(loadConfig({ ...base, WORKERS: '1' }).workers).toBe(1);
  });

  it('reads every setting', () => {
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://u:p@db.example:6543/crm',
      LOG_LEVEL: 'DEBUG',
      TESSERA_DEMO: 'off',
      TESSERA_DEMO_TOKEN: 'demo-token',
      TESSERA_MODEL_CACHE_SIZE: '20',
      TESSERA_STATEMENT_CACHE_SIZE: '50',
      TESSERA_SHUTDOWN_TIMEOUT_MS: '2500',
    });
    expect(c).toMatchObject({
      port: 8080,
      databaseUrl: 'postgresql://u:p@db.example:6543/crm',
      logLevel: 'debug',
      demo: false,
      demoToken: 'demo-token',
      modelCacheSize: 20,
      statementCacheSize: 50,
      shutdownTimeoutMs: 2500,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT is "abc": it must be a port number/],
    [{ PORT: '70000' }, /^PORT is "70000"/],
    [{ PORT: '-1' }, /^PORT is "-1"/],
    [{ PORT: '3000.5' }, /^PORT is "3000.5"/],
    [{ DATABASE_URL: 'localhost:5432/db' }, /^DATABASE_URL starts with "localhost:\/\/"/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL is not a URL: write it as postgres:\/\//],
    [{ DATABASE_URL: 'mysql://u@h/db' }, /^DATABASE_URL starts with "mysql:\/\/"/],
    [{ DATABASE_URL: 'postgres:///db' }, /names no host/],
    [{ DATABASE_URL: 'postgres://u@h:99999/db' }, /^DATABASE_URL is not a URL/],
    [
      { LOG_LEVEL: 'verbose' },
      /^LOG_LEVEL is "verbose": use one of fatal, error, warn, info, debug, trace, silent\.$/,
    ],
    [{ TESSERA_DEMO: 'maybe' }, /^TESSERA_DEMO is "maybe": use on or off\.$/],
    [{ TESSERA_DEMO_TOKEN: 'short' }, /^TESSERA_DEMO_TOKEN must be 8 to 200 printable characters/],
    [{ TESSERA_DEMO_TOKEN: 'has a space' }, /^TESSERA_DEMO_TOKEN/],
    [
      { TESSERA_MODEL_CACHE_SIZE: '0' },
      /^TESSERA_MODEL_CACHE_SIZE is "0": it must be a number of tenants, at least 1\.$/,
    ],
    [{ TESSERA_STATEMENT_CACHE_SIZE: 'lots' }, /^TESSERA_STATEMENT_CACHE_SIZE is "lots"/],
  ])('%j is refused with one line naming the variable', (env, message) => {
    const m = fails(env);
    expect(m).toMatch(message);
    expect(m).not.toContain('\n');
  });

  it('a password in DATABASE_URL is never repeated in a message', () => {
    const m = fails({ DATABASE_URL: 'postgres://u:s3cret@h:99999/db' });
    expect(m).toMatch(/^DATABASE_URL is not a URL/);
    expect(m).not.toContain('s3cret');
    expect(redactUrl('postgres://u:s3cret@h/db')).toBe('postgres://u:***@h/db');
  });

  it('a data folder that cannot be made is refused, naming TESSERA_DATA_DIR', () => {
    const file = join(dataDir, 'a-file');
    writeFileSync(file, '');
    expect(fails({ TESSERA_DATA_DIR: join(file, 'sub') })).toMatch(
      /^TESSERA_DATA_DIR .* cannot be created or written \(ENOTDIR\)/,
    );
  });

  it('an unknown TESSERA_ variable is a warning, not a failure', () => {
    const warnings: string[] = [];
    loadConfig({ ...base, TESSERA_DEMO_TOKN: 'x' }, warnings);
    expect(warnings).toEqual([expect.stringMatching(/^TESSERA_DEMO_TOKN is not a Tessera setting/)]);
  });

  it('connection failures become one line saying what to fix, without the password', () => {
    const url = 'postgres://u:pw@db:5432/crm';
    expect(databaseConnectError({ code: 'ECONNREFUSED' }, url)?.message).toBe(
      'Cannot connect to DATABASE_URL postgres://u:***@db:5432/crm: nothing answers on that host and port: is the server running, and is the port right?',
    );
    expect(databaseConnectError({ code: '3D000' }, url)?.message).toMatch(/that database does not exist/);
    expect(databaseConnectError(new Error('other'), url)).toBeNull();
  });
});
