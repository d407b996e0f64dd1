/**
 * The index check: EXPLAIN (ANALYZE, BUFFERS) of the SQL the engine itself generates for the
 * bench's reads, as the sales rep, on the bench tenant's data (run.ts runs it on the server after
 * W2, before the timed reads; not a timed test). It attaches a second engine to the bench
 * platform, runs each request through RecordsService (the same code the API runs), captures
 * every statement from knex's `query` event, and EXPLAINs it under the tenant's role.
 *
 * Asserts: the W3 list reads `opportunity` through an index (the declared one on close_date),
 * never a sequential scan or a sort of every matching row; the other lists that filter or sort
 * on an indexed column use an index too. Prints one JSON line; exits 1 when an assertion fails.
 *
 * argv[2]: JSON { url, token } (the rep's API token), or { username: 'rep' } after a bench run with
 * `--keep` (`npx tsx bench/explain.ts '{"username":"rep","platform":"bench_<tag>_platform","prefix":"bench_<tag>_"}'`:
 * a token is added for that user).
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createEngine } from '../engine/src/engine.js';
import type { Scope } from '../engine/src/records/service.js';
import { policyFor } from '../engine/src/security/policy.js';
import { dbRoleOf } from '../engine/src/tenancy/tenants.js';
import { AGGREGATE_BODY, LIST_FILTER } from './data.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Sort Key'?: string[];
  'Presorted Key'?: string[];
  'Actual Rows'?: number;
  'Actual Total Time'?: number;
  Plans?: PlanNode[];
}
interface Captured {
  sql: string;
  bindings: readonly unknown[];
}
export interface Explained {
  request: string;
  sql: string;
  ms: number;
  /** One line per scan node: `Index Scan Backward using ix… on opportunity (229 rows)`. */
  scans: string[];
  sorts: string[];
  /** The nodes, outermost first: `Limit > Incremental Sort > Index Scan`. */
  shape: string;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as {
  url?: string;
  token?: string;
  username?: string;
  /** The run's schemas (bench/namespace.ts): `bench_<tag>_platform`, prefix `bench_<tag>_`. */
  platform?: string;
  prefix?: string;
};
/** EXPLAIN of a statement the engine generated (captured text, its own bindings). */
const explainText = (sql: string) => 'explain (analyze, buffers, format json) ' + sql;

function walk(n: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(n);
  for (const c of n.Plans ?? []) walk(c, out);
  return out;
}
const describe = (n: PlanNode) =>
  `${n['Node Type']}${n['Scan Direction'] === 'Backward' ? ' Backward' : ''}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''} (${n['Actual Rows']} rows)`;

async function main() {
  const engine = await createEngine({
    databaseUrl: cfg.url ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    platformSchema: cfg.platform ?? 'bench_platform',
    schemaPrefix: cfg.prefix ?? 'bench_',
    poolSize: 2,
  });
  const failures: string[] = [];
  const out: Explained[] = [];
  try {
    let token = cfg.token ?? '';
    if (cfg.username) {
      const tenant = await engine.tenants.findBySlug('crm');
      if (!tenant) throw new Error('no bench tenant: run the bench on the server first');
      token = `tsr_explain_${randomBytes(12).toString('hex')}`;
      await engine.tenants.ensureToken(tenant, token, cfg.username);
    }
    const p = await engine.tenants.principalForToken(token);
    if (!p) throw new Error('the rep token does not sign in');
    const model = await engine.models.get(p.tenant.id);
    const scope: Scope = {
      tenantId: p.tenant.id,
      schema: p.tenant.schema,
      actor: p.userId,
      model,
      access: policyFor(
        model,
        { userId: p.userId, isAdmin: p.isAdmin, role: p.role, profile: p.profile },
        p.tenant.schema,
      ),
      dbRole: dbRoleOf(p.tenant),
    };
    const role = dbRoleOf(p.tenant);
    // knex emits `query` on the instance a session's knex wraps: listen there for the requests below.
    let tenantKnex: Knex | null = null;
    await engine.db.tenant.read(role, async (db) => void (tenantKnex = db));
    const captured: Captured[] = [];
    const listen = (q: { sql: string; bindings?: readonly unknown[] }) =>
      captured.push({ sql: q.sql, bindings: q.bindings ?? [] });
    tenantKnex!.on('query', listen);
    const r = engine.records;
    const anAccount = (await r.list(scope, 'account', { limit: 1, fields: ['id'] })).data[0].id as string;
    const firstPage = await r.list(scope, 'opportunity', {
      filter: LIST_FILTER,
      sort: '-close_date',
      limit: 50,
    });
    captured.length = 0;
    // What the bench and the studio ask, each with the index a user would have declared.
    const requests: { name: string; run: () => Promise<unknown>; indexed: string[] }[] = [
      {
        name: 'W3 list: stage = negotiation and amount > 50000, sort -close_date, limit 50, expand account',
        run: () =>
          r.list(scope, 'opportunity', {
            filter: LIST_FILTER,
            sort: '-close_date',
            limit: 50,
            expand: ['account'],
          }),
        // account (1,000 rows, 12 pages) is read whole: cheaper than 40 index probes, the planner's call
        indexed: ['opportunity'],
      },
      {
        name: 'W3 next page (keyset cursor, descending key)',
        run: () =>
          r.list(scope, 'opportunity', {
            filter: LIST_FILTER,
            sort: '-close_date',
            limit: 50,
            cursor: firstPage.meta.next_cursor ?? undefined,
          }),
        indexed: ['opportunity'],
      },
      {
        name: 'list view, no sort (studio default): order by id, limit 25',
        run: () => r.list(scope, 'opportunity', { limit: 25 }),
        indexed: ['opportunity'],
      },
      {
        name: 'list view sorted by close_date ascending, limit 25',
        run: () => r.list(scope, 'opportunity', { sort: 'close_date', limit: 25 }),
        indexed: ['opportunity'],
      },
      {
        name: 'list view filtered stage = commit, sorted -close_date, limit 25',
        run: () =>
          r.list(scope, 'opportunity', { filter: { stage: 'commit' }, sort: '-close_date', limit: 25 }),
        indexed: ['opportunity'],
      },
      {
        name: 'related list (studio RecordPage): account = X, sort -created_at, limit 10',
        run: () =>
          r.list(scope, 'opportunity', {
            filter: { account: { eq: anAccount } },
            sort: '-created_at',
            limit: 10,
          }),
        indexed: ['opportunity'],
      },
      {
        name: 'lookup search (studio LookupWidget): account name contains "12", fields id,name, limit 20',
        run: () =>
          r.list(scope, 'account', {
            filter: { name: { contains: '12' } },
            fields: ['id', 'name'],
            limit: 20,
          }),
        indexed: [],
      },
      {
        name: 'W6 aggregate: sum(amount) group by stage',
        run: () => r.aggregate(scope, 'opportunity', AGGREGATE_BODY),
        indexed: [],
      },
      {
        name: 'report grouping with a filter: count group by region where stage = commit',
        run: () =>
          r.aggregate(scope, 'opportunity', {
            groupBy: ['region'],
            metrics: [{ fn: 'count' }],
            filter: { stage: { eq: 'commit' } },
          }),
        indexed: ['opportunity'],
      },
    ];
    for (const q of requests) {
      captured.length = 0;
      await q.run();
      const statements = captured.splice(0);
      if (process.env.EXPLAIN_DEBUG) console.error(JSON.stringify(statements));
      for (const st of statements) {
        const [plan] = await engine.db.tenant.read(role, async (db) => {
          // knex reports positional `$n` text: back to its own `?` placeholders, values in $n order
          const order: number[] = [];
          const text = st.sql.replace(/\$(\d+)/g, (_, n: string) => (order.push(Number(n) - 1), '?'));
          const values = order.map((i) => st.bindings[i]) as Knex.RawBinding[];
          const res = (await db.raw(explainText(text), values)) as {
            rows: { 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] }[];
          };
          return res.rows[0]['QUERY PLAN'];
        });
        const nodes = walk(plan.Plan);
        const scans = nodes.filter((n) => /Scan/.test(n['Node Type']) && n['Relation Name']);
        const e: Explained = {
          request: q.name,
          sql: st.sql,
          ms: Math.round(plan['Execution Time'] * 100) / 100,
          scans: scans.map(describe),
          sorts: nodes
            .filter((n) => n['Sort Key'])
            .map(
              (n) =>
                `${n['Node Type']} ${n['Sort Key']!.join(', ')}${n['Presorted Key'] ? ` (presorted: ${n['Presorted Key'].join(', ')})` : ''}`,
            ),
          shape: nodes
            .map((n) => n['Node Type'])
            .filter((t) => !/Scan/.test(t))
            .join(' > '),
        };
        out.push(e);
        for (const table of q.indexed)
          for (const s of scans.filter((n) => n['Relation Name'] === table))
            if (s['Node Type'] === 'Seq Scan') failures.push(`${q.name}: ${describe(s)}`);
        // W3's point: the declared index on close_date delivers the order, no sort of every match.
        if (q.name.startsWith('W3 list') && e.sql.includes('"opportunity"') && !e.sql.includes('"id" in')) {
          const onOpp = scans.filter((n) => n['Relation Name'] === 'opportunity');
          const ordered = onOpp.some(
            (n) => n['Node Type'] === 'Index Scan' && n['Scan Direction'] === 'Backward',
          );
          if (!ordered)
            failures.push(
              `W3 list does not read opportunity in index order: ${onOpp.map(describe).join('; ')}`,
            );
        }
      }
    }
    tenantKnex!.off('query', listen);
  } finally {
    await engine.close();
  }
  process.stdout.write(JSON.stringify({ ok: failures.length === 0, failures, plans: out }) + '\n');
  // run.ts reads `ok`; alone, the exit code says it
  if (failures.length && !cfg.token) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
