/**
 * The raw target: the same operations straight through a driver, no HTTP. On the server `pg` with a
 * pool of 16, named prepared statements and COPY for W2 (the physical limit); on PGlite one
 * in-process connection (its own data folder) with COPY FROM '/dev/blob' for W2.
 * argv[2]: JSON config. Modes: setup (schema + 1,000 accounts), ids, analyze, settle (vacuum and checkpoint), trim (delete the
 * opportunities created after `after`: W2's later repetitions, all of W2m's), W1..W6.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { PGlite } from '@electric-sql/pglite';
import { AGGREGATE_BODY, LIST_FILTER, opportunity, randomStage, rng } from './data.js';
import { BENCH_USER, OPP_COLS, ddl, nestAccount, sql } from './reference/sql.js';
import { INDUSTRIES, REGIONS } from './package.js';

interface RawConfig {
  mode: 'setup' | 'ids' | 'analyze' | 'settle' | 'trim' | 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6';
  db: 'server' | 'pglite';
  url?: string;
  dataDir?: string;
  schema: string;
  connections: number;
  duration?: number;
  amount?: number;
  idsFile?: string;
  seed: number;
  /** trim: an ISO instant. */
  after?: string;
}
const cfg = JSON.parse(process.argv[2]) as RawConfig;
const S = sql(cfg.schema);
type Rows = Record<string, unknown>[];

pg.types.setTypeParser(1082, (v) => v);
pg.types.setTypeParser(1700, (v) => Number(v));

/** One interface over both drivers. */
interface Driver {
  q(name: keyof typeof S | null, text: string, values?: unknown[]): Promise<Rows>;
  copy(rows: string): Promise<void>;
  close(): Promise<void>;
}
const copySql = `copy ${cfg.schema}.opportunity (${OPP_COLS.join(', ')}, owner, created_by, updated_by) from stdin`;

async function open(): Promise<Driver> {
  if (cfg.db === 'server') {
    const pool = new pg.Pool({ connectionString: cfg.url, max: 16 });
    return {
      q: async (name, text, values = []) =>
        (await pool.query(name ? { name, text, values } : { text, values })).rows,
      async copy(rows) {
        const client = await pool.connect();
        try {
          await pipeline(Readable.from([rows]), client.query(copyStreams.from(copySql)));
        } finally {
          client.release();
        }
      },
      close: () => pool.end(),
    };
  }
  const db = await PGlite.create({
    dataDir: cfg.dataDir,
    parsers: { 1082: (v: string) => v, 1700: (v: string) => Number(v) },
  });
  return {
    q: async (_name, text, values = []) => (await db.query<Record<string, unknown>>(text, values)).rows,
    async copy(rows) {
      await db.query(copySql.replace('from stdin', "from '/dev/blob'"), [], { blob: new Blob([rows]) });
    },
    close: () => db.close(),
  };
}

const tsv = (o: Record<string, unknown>) =>
  [
    ...OPP_COLS.map((c) => (o[c] === null || o[c] === undefined ? '\\N' : String(o[c]))),
    BENCH_USER,
    BENCH_USER,
    BENCH_USER,
  ].join('\t') + '\n';

async function main() {
  const d = await open();
  const r = rng(cfg.seed);
  if (cfg.mode === 'setup') {
    for (const s of ddl(cfg.schema)) await d.q(null, s);
    const names: string[] = [],
      ind: string[] = [],
      reg: string[] = [];
    for (let i = 0; i < 1000; i++) {
      names.push(`Account ${i}`);
      ind.push(INDUSTRIES[i % INDUSTRIES.length]);
      reg.push(REGIONS[i % REGIONS.length]);
    }
    await d.q(
      null,
      `insert into ${cfg.schema}.account (name, industry, region, owner, created_by, updated_by) select *, $4::uuid, $4::uuid, $4::uuid from unnest($1::text[], $2::text[], $3::text[])`,
      [names, ind, reg, BENCH_USER],
    );
    await d.q(null, `analyze ${cfg.schema}.account`);
  }
  if (cfg.mode === 'trim') {
    const gone = await d.q(null, `delete from ${cfg.schema}.opportunity where created_at > $1 returning 1`, [
      cfg.after,
    ]);
    process.stdout.write(JSON.stringify({ deleted: gone.length }) + '\n');
    return d.close();
  }
  if (cfg.mode === 'analyze' || cfg.mode === 'settle') {
    // VACUUM too: the reads then start from a settled table (no autovacuum of W2's rows inside a
    // timed run). settle, before a write run, also checkpoints: none of the last run's lands in it.
    await d.q(null, `vacuum analyze ${cfg.schema}.account, ${cfg.schema}.opportunity`);
    if (cfg.mode === 'settle') await d.q(null, 'checkpoint');
    return d.close();
  }
  if (cfg.mode === 'setup' || cfg.mode === 'ids') {
    const accounts = (await d.q(null, `select id from ${cfg.schema}.account order by id`)).map(
      (x) => x.id as string,
    );
    const ids = (await d.q(null, `select id from ${cfg.schema}.opportunity order by id limit 5000`)).map(
      (x) => x.id as string,
    );
    process.stdout.write(JSON.stringify({ accounts, ids }) + '\n');
    return d.close();
  }
  const { accounts, ids } = JSON.parse(readFileSync(cfg.idsFile!, 'utf8')) as {
    accounts: string[];
    ids: string[];
  };
  let n = cfg.seed * 1_000_000;
  const values = (o: Record<string, unknown>) => [...OPP_COLS.map((c) => o[c]), BENCH_USER];
  const pickId = () => ids[Math.floor(r() * ids.length)];
  const ops: Record<string, () => Promise<unknown>> = {
    W1: () => d.q('create', S.create, values(opportunity(r, accounts, n++))),
    W2: () => d.copy(Array.from({ length: 1000 }, () => tsv(opportunity(r, accounts, n++))).join('')),
    W3: async () =>
      (await d.q('list', S.list, [LIST_FILTER.stage.eq, LIST_FILTER.amount.gt, 51]))
        .slice(0, 50)
        .map(nestAccount),
    W4: () => d.q('get', S.get, [pickId()]),
    W5: () => d.q('patch', S.patch, [pickId(), randomStage(r), BENCH_USER]),
    W6: () => d.q('aggregate', S.aggregate),
  };
  void AGGREGATE_BODY;
  const op = ops[cfg.mode];
  const lat: number[] = [];
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const until = started + (cfg.duration ?? 10) * 1000;
  const more = () => (cfg.amount ? issued < cfg.amount : performance.now() < until);
  const worker = async () => {
    while (more()) {
      issued++;
      const t = performance.now();
      try {
        await op();
        lat.push(performance.now() - t);
      } catch (e) {
        if (++errors === 1) console.error(e);
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p: number) =>
    lat.length ? lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] : 0;
  process.stdout.write(
    JSON.stringify({
      requests: lat.length,
      seconds,
      rps: lat.length / seconds,
      p50: pct(50),
      p99: pct(99),
      errors,
      non2xx: 0,
    }) + '\n',
  );
  await d.close();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
