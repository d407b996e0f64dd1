import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_STATEMENTS_PER_CONNECTION } from '../db/tenant-sessions.js';
import { DEFAULT_MODEL_CACHE_SIZE } from '../tenancy/model-cache.js';

/** A setting the operator must fix: its message is the one line the process prints before exiting. */
export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything `npm start` reads from the environment, checked. */
export interface RuntimeConfig {
  port: number;
  /** Set → a Postgres server; unset → embedded PGlite in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  logLevel: LogLevel;
  /** Seed the demo tenant on an empty database. */
  demo: boolean;
  demoToken?: string;
  demoPassword?: string;
  platformToken?: string;
  modelCacheSize: number;
  statementCacheSize: number;
  /** How long shutdown waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs: number;
  /** Engine processes behind the one port (node:cluster); more than 1 needs DATABASE_URL. */
  workers: number;
}

/** Every variable the engine reads; a TESSERA_ name not listed is probably a typo. */
const KNOWN = new Set([
  'TESSERA_DATA_DIR',
  'TESSERA_DEMO',
  'TESSERA_DEMO_TOKEN',
  'TESSERA_DEMO_PASSWORD',
  'TESSERA_PLATFORM_TOKEN',
  'TESSERA_MODEL_CACHE_SIZE',
  'TESSERA_STATEMENT_CACHE_SIZE',
  'TESSERA_SHUTDOWN_TIMEOUT_MS',
]);

type Env = Record<string, string | undefined>;

/**
 * Reads and checks the environment. Throws a ConfigError naming the variable, what it holds and
 * what it should hold; `warnings` collects what is suspicious but harmless (unknown TESSERA_ names).
 */
export function loadConfig(env: Env, warnings: string[] = []): RuntimeConfig {
  const set = (name: string) => (env[name] ?? '').trim() || undefined;
  const databaseUrl = set('DATABASE_URL');
  if (databaseUrl) checkDatabaseUrl(databaseUrl);
  const workers = integer(env, 'WORKERS', 1, 1, 64, 'a number of engine processes from 1 to 64');
  if (workers > 1 && !databaseUrl)
    throw new ConfigError(
      `WORKERS is ${workers}, but the embedded PGlite database can be opened by one process only: set DATABASE_URL to a Postgres server to run several workers, or unset WORKERS.`,
    );
  const dataDir = resolve(set('TESSERA_DATA_DIR') ?? './data');
  if (!databaseUrl) checkDataDir(dataDir);
  const logLevel = (set('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new ConfigError(`LOG_LEVEL is "${env.LOG_LEVEL}": use one of ${LOG_LEVELS.join(', ')}.`);
  const demoToken = set('TESSERA_DEMO_TOKEN');
  if (demoToken !== undefined && !/^[\x21-\x7e]{8,200}$/.test(demoToken))
    throw new ConfigError(
      'TESSERA_DEMO_TOKEN must be 8 to 200 printable characters without spaces (it is sent in an Authorization header).',
    );
  for (const name of Object.keys(env))
    if (name.startsWith('TESSERA_') && !KNOWN.has(name))
      warnings.push(`${name} is not a Tessera setting (known: ${[...KNOWN].join(', ')}); it is ignored.`);
  return {
    workers,
    port: integer(env, 'PORT', 3000, 0, 65535, 'a port number from 1 to 65535 (0: any free port)'),
    databaseUrl,
    dataDir,
    logLevel: logLevel as LogLevel,
    demo: flag(env, 'TESSERA_DEMO', true),
    demoToken,
    demoPassword: set('TESSERA_DEMO_PASSWORD'),
    platformToken: set('TESSERA_PLATFORM_TOKEN'),
    modelCacheSize: integer(
      env,
      'TESSERA_MODEL_CACHE_SIZE',
      DEFAULT_MODEL_CACHE_SIZE,
      1,
      1e6,
      'a number of tenants, at least 1',
    ),
    statementCacheSize: integer(
      env,
      'TESSERA_STATEMENT_CACHE_SIZE',
      DEFAULT_STATEMENTS_PER_CONNECTION,
      1,
      1e6,
      'a number of statements per connection, at least 1',
    ),
    shutdownTimeoutMs: integer(
      env,
      'TESSERA_SHUTDOWN_TIMEOUT_MS',
      10_000,
      0,
      3_600_000,
      'milliseconds, e.g. 10000',
    ),
  };
}

function integer(env: Env, name: string, fallback: number, min: number, max: number, what: string): number {
  const raw = (env[name] ?? '').trim();
  if (!raw) return fallback;
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} is "${raw}": it must be ${what}.`);
  return n;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} is "${env[name]}": use on or off.`);
}

const DATABASE_URL_FORM = 'postgres://user:password@host:5432/database';

function checkDatabaseUrl(raw: string) {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `DATABASE_URL is not a URL: write it as ${DATABASE_URL_FORM}, or unset it to use the embedded database.`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new ConfigError(
      `DATABASE_URL starts with "${url.protocol}//": write it as ${DATABASE_URL_FORM} (postgres:// or postgresql://).`,
    );
  // A Unix socket goes in ?host=/path, as libpq and pg accept it.
  if (!url.hostname && !url.searchParams.get('host'))
    throw new ConfigError(`DATABASE_URL ${redactUrl(raw)} names no host: write it as ${DATABASE_URL_FORM}.`);
  if (url.port && !(Number(url.port) >= 1 && Number(url.port) <= 65535))
    throw new ConfigError(
      `DATABASE_URL ${redactUrl(raw)} has port ${url.port}: use the server's port, usually 5432.`,
    );
}

function checkDataDir(dir: string) {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as { code?: string }).code ?? String(e);
    throw new ConfigError(
      `TESSERA_DATA_DIR ${dir} cannot be created or written (${code}): choose a folder this user may write, or set DATABASE_URL.`,
    );
  }
}

/** The URL without its password, safe to print. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable)';
  }
}

/** Connection failures an operator fixes in DATABASE_URL or on the server, as one line; null for others. */
export function databaseConnectError(err: unknown, databaseUrl: string): ConfigError | null {
  const e = err as { code?: string; message?: string };
  const where = redactUrl(databaseUrl);
  const hint: Record<string, string> = {
    ECONNREFUSED: 'nothing answers on that host and port: is the server running, and is the port right?',
    ENOTFOUND: 'the host name does not resolve: check the host in DATABASE_URL.',
    EAI_AGAIN: 'the host name does not resolve: check the host in DATABASE_URL.',
    ETIMEDOUT: 'the server did not answer in time: check the host, the port and the firewall.',
    EHOSTUNREACH: 'the host is unreachable: check the host in DATABASE_URL.',
    '28P01': 'the password was refused: check the user and password in DATABASE_URL.',
    '28000': 'the server refused this user: check the user in DATABASE_URL and pg_hba.conf.',
    '3D000': 'that database does not exist: create it (createdb) or fix its name in DATABASE_URL.',
  };
  const known = e?.code ? hint[e.code] : undefined;
  if (!known) return null;
  return new ConfigError(`Cannot connect to DATABASE_URL ${where}: ${known}`);
}
