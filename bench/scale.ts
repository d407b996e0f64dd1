/**
 * Metadata scale, on the Postgres server (run.ts runs it after the workload; `--quick` scales down):
 *  1. add a field to a 1,000,000-row table: time, and proof that no rewrite happened (filenode);
 *  2. deploy a 50-object package;
 *  3. N tenants × 30 objects: creation time, cold boot of a fresh server process, first-request
 *     and warm time per tenant, resident memory (N chosen from the measured time of one tenant);
 *  4. validation and rules cost per write: a bare object, 30 validated fields, the same with typical
 *     rules (creates and updates), and the ajv step and the rule steps alone.
 * Prints one JSON line.
 */
import { resolve } from 'node:path';
import pg from 'pg';
import type { FieldDef, ObjectDef } from '../engine/src/core/model.js';
import { createEngine } from '../engine/src/engine.js';
import { ALLOW_ALL } from '../engine/src/records/access.js';
import type { WriteContext, WriteItem } from '../engine/src/records/pipeline.js';
import { defaultsStep, recordRulesStep } from '../engine/src/rule-steps/record-rules.js';
import { dbRoleOf, type Tenant } from '../engine/src/tenancy/tenants.js';
import { validatorsFor } from '../engine/src/validation/record-schema.js';
import { field, l, object } from './package.js';
import { manyObjects, wideObject } from './wide-objects.js';
import { spawnServer } from './proc.js';
import { freePort } from './namespace.js';

const ROOT = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const opt = (n: string) => argv.find((a) => a.startsWith(`--${n}=`))?.split('=')[1];
const URL_ = opt('url') ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIG_ROWS = Number(opt('rows') ?? (QUICK ? 100_000 : 1_000_000));
/** Seconds to spend creating tenants; the count follows from the time one takes (capped at 1,000). */
const TENANT_BUDGET_S = Number(opt('tenant-budget') ?? (QUICK ? 10 : 60));
const TENANTS_MAX = Number(opt('tenants') ?? 1000);
/** run.ts's namespace (bench/namespace.ts), so concurrent runs on one server never meet. */
const NS = opt('ns') ?? 'bench_000000';
const PLATFORM = `${NS}_scale`;
const PREFIX = `${NS}_s_`;
/** The engine's default time zone (createEngine without `timeZone`), for the rule steps timed alone. */
const TIME_ZONE = 'Asia/Shanghai';
const log = (...a: unknown[]) => console.error('[scale]', ...a);
const ms = (t: number) => Math.round((performance.now() - t) * 10) / 10;
const opts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    value: `v${i}`,
    label: { en: `V${i}`, 'zh-CN': `V${i}` },
    order: i,
  }));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10 : 0;
};

/** The validated object: 30 fields each carrying a constraint ajv checks. */
function validatedObject(): ObjectDef {
  const f: FieldDef[] = [field('name', 'text', { required: true, maxLength: 120 })];
  for (let i = 0; f.length < 30; i++) {
    const k = i % 7;
    if (k === 0) f.push(field(`t${i}`, 'text', { maxLength: 80, required: true }));
    if (k === 1) f.push(field(`n${i}`, 'integer', { min: 0, max: 1000 }));
    if (k === 2) f.push(field(`c${i}`, 'currency', { precision: 14, scale: 2, min: 0 }));
    if (k === 3) f.push(field(`p${i}`, 'picklist', { options: opts(12) }));
    if (k === 4) f.push(field(`e${i}`, 'email'));
    if (k === 5) f.push(field(`d${i}`, 'date'));
    if (k === 6) f.push(field(`r${i}`, 'percent', { min: 0, max: 100 }));
  }
  return object('validated', f);
}
/**
 * The validated object plus what a consultant typically configures on it: three validation
 * rules (won needs an amount, date order, an e-mail pattern), two stored formulas, a required-if,
 * a computed default and a dependent picklist.
 * No lookups or roll-ups, so its writes need no transaction; updates read the stored row first
 * (rules see the whole record).
 */
function ruledObject(): ObjectDef {
  const o = validatedObject();
  const v = (n: string) => ({ var: n });
  o.name = 'ruled';
  o.fields.push(
    field('stage', 'picklist', { options: opts(4) }),
    field('line', 'picklist', { options: opts(2) }),
    field('series', 'picklist', {
      options: opts(4),
      controllingField: 'line',
      dependencies: { v0: ['v0', 'v1'], v1: ['v2', 'v3'] },
    }),
    field('loss_reason', 'textarea', { requiredIf: { '==': [v('stage'), 'v3'] } }),
    field('follow_up', 'date', { defaultExpression: { add_days: [{ today: [] }, 30] } }),
    field('weighted', 'formula', {
      returnType: 'currency',
      expression: { round: [{ '/': [{ '*': [v('c2'), v('r6')] }, 100] }, 2] },
    }),
    field('code', 'formula', {
      returnType: 'text',
      expression: { cat: [{ upper: [v('t0')] }, '-', v('n1')] },
    }),
  );
  const rule = (name: string, condition: unknown, field?: string) => ({
    name,
    condition,
    message: l(`${name} failed`),
    ...(field ? { field } : {}),
  });
  o.validationRules = [
    rule('won_needs_amount', { and: [{ '==': [v('stage'), 'v2'] }, { '<=': [v('c2'), 0] }] }, 'c2'),
    rule('date_order', { '<': [v('follow_up'), v('d5')] }),
    rule('company_email', { '!': [{ regex_test: [v('e4'), '@example\\.com$', 'i'] }] }, 'e4'),
  ] as ObjectDef['validationRules'];
  return o;
}
/** Without follow_up, so its computed default runs (validatedValues fills every date field). */
function ruledValues(o: ObjectDef, n: number): Record<string, unknown> {
  const { follow_up: _, ...v } = validatedValues(o, n);
  return { ...v, stage: `v${n % 3}`, line: 'v0', series: 'v1' };
}
function validatedValues(o: ObjectDef, n: number): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  for (const f of o.fields) {
    if (f.name === 'name') v.name = `Record ${n}`;
    else if (f.type === 'text') v[f.name] = `text ${n}`;
    else if (f.type === 'integer') v[f.name] = n % 1000;
    else if (f.type === 'currency') v[f.name] = 1234.5;
    else if (f.type === 'picklist') v[f.name] = `v${n % 12}`;
    else if (f.type === 'email') v[f.name] = `user${n}@example.com`;
    else if (f.type === 'date') v[f.name] = '2025-06-30';
    else if (f.type === 'percent') v[f.name] = 42;
  }
  return v;
}

/** Clean-up DDL on names read from pg_namespace/pg_roles, quoted by pg's escapeIdentifier. */
const ddlText = (text: string) => text;

async function clean() {
  const c = new pg.Client({ connectionString: URL_ });
  await c.connect();
  for (const r of (
    await c.query(`select nspname from pg_namespace where nspname = $1 or starts_with(nspname, $2)`, [
      PLATFORM,
      PREFIX,
    ])
  ).rows)
    await c.query(ddlText('drop schema if exists ' + c.escapeIdentifier(r.nspname) + ' cascade'));
  for (const r of (
    await c.query(`select rolname from pg_roles where starts_with(rolname, $1) and rolname like '%\\_app'`, [
      PREFIX,
    ])
  ).rows) {
    await c.query(ddlText('drop owned by ' + c.escapeIdentifier(r.rolname)));
    await c.query(ddlText('drop role ' + c.escapeIdentifier(r.rolname)));
  }
  await c.end();
}

async function main() {
  const out: Record<string, unknown> = { quick: QUICK };
  await clean();
  const engine = await createEngine({
    databaseUrl: URL_,
    platformSchema: PLATFORM,
    schemaPrefix: PREFIX,
    poolSize: 8,
  });
  const k = engine.db.knex;
  const made: Tenant[] = [];
  try {
    // 1. add a field to a big table
    {
      const { tenant, adminUserId } = await engine.tenants.create({
        slug: 'big',
        name: 'Big',
        package: {
          objects: [
            object('big', [
              field('name', 'text', { required: true }),
              field('amount', 'currency', { precision: 14, scale: 2 }),
              field('stage', 'picklist', { options: opts(7) }),
            ]),
          ],
        },
      });
      made.push(tenant);
      let t = performance.now();
      await k.raw(
        `insert into ??.big (name, amount, stage) select 'row ' || g, g % 100000, 'v' || (g % 7) from generate_series(1, ?) g`,
        [tenant.schema, BIG_ROWS],
      );
      await k.raw('analyze ??.big', [tenant.schema]);
      const loadMs = ms(t);
      const filenode = async () =>
        (await k.raw(`select pg_relation_filenode(?::regclass) as f`, [`${tenant.schema}.big`])).rows[0]
          .f as number;
      const before = await filenode();
      t = performance.now();
      const r1 = await engine.meta.upsertField(
        tenant,
        adminUserId,
        'big',
        field('note', 'text', { maxLength: 200 }),
        {},
      );
      const addTextMs = ms(t);
      t = performance.now();
      const r2 = await engine.meta.upsertField(
        tenant,
        adminUserId,
        'big',
        field('score', 'integer', { min: 0, max: 100, default: 0 }),
        {},
      );
      const addIntMs = ms(t);
      const after = await filenode();
      out.add_field = {
        rows: BIG_ROWS,
        load_ms: loadMs,
        add_text_field_ms: addTextMs,
        add_integer_field_with_default_ms: addIntMs,
        ddl: [...r1.steps, ...r2.steps].flatMap((s) => (s as { sql?: string[] }).sql ?? []),
        filenode_before: before,
        filenode_after: after,
        rewritten: before !== after,
      };
      log('add field', out.add_field);
    }
    // 2. a 50-object package
    {
      const { tenant, adminUserId } = await engine.tenants.create({
        slug: 'fifty',
        name: 'Fifty',
        package: { objects: [wideObject('seed', 5, null)] },
      });
      made.push(tenant);
      const pkg = manyObjects(50, 12);
      pkg.objects.push(wideObject('seed', 5, null));
      let t = performance.now();
      const plan = await engine.meta.deploy(tenant, adminUserId, pkg, { dryRun: true });
      const planMs = ms(t);
      t = performance.now();
      const r = await engine.meta.deploy(tenant, adminUserId, pkg, {});
      out.deploy_50_objects = {
        objects: 50,
        fields_per_object: 13,
        plan_ms: planMs,
        deploy_ms: ms(t),
        steps: r.steps.length,
        applied: r.applied,
        plan_steps: plan.steps.length,
      };
      log('50 objects', out.deploy_50_objects);
    }
    // 3. many tenants × 30 objects
    {
      const pkg = manyObjects(30, 8);
      const token = (i: number) => `tsr_scale_${String(i).padStart(5, '0')}_abcdefgh`;
      const create = async (i: number) => {
        const { tenant } = await engine.tenants.create({
          slug: `m${i}`,
          name: `Tenant ${i}`,
          package: pkg,
          token: token(i),
        });
        made.push(tenant);
      };
      let t = performance.now();
      await create(0);
      const oneMs = ms(t);
      const n = Math.max(2, Math.min(TENANTS_MAX, Math.floor((TENANT_BUDGET_S * 1000) / oneMs)));
      log(`one tenant × 30 objects: ${oneMs} ms → creating ${n} tenants (budget ${TENANT_BUDGET_S} s)`);
      t = performance.now();
      let next = 1;
      await Promise.all(
        [0, 1].map(async () => {
          while (next < n) await create(next++);
        }),
      );
      const createAllMs = ms(t);
      await engine.close();
      // cold boot: a fresh server process on the platform holding them
      const port = await freePort();
      const server = await spawnServer(ROOT, 'bench/servers/tessera.ts', {
        DATABASE_URL: URL_,
        PORT: String(port),
        BENCH_ATTACH: '1',
        BENCH_PLATFORM: PLATFORM,
        BENCH_PREFIX: PREFIX,
      });
      const memBoot = await server.ask<{ rss: number }>('mem');
      const first: number[] = [];
      const warm: number[] = [];
      const get = async (i: number) => {
        const t0 = performance.now();
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/data/obj_${1 + (i % 30)}?limit=10`, {
          headers: { authorization: `Bearer ${token(i)}` },
        });
        await r.text();
        if (r.status !== 200) throw new Error(`tenant ${i}: ${r.status}`);
        return performance.now() - t0;
      };
      t = performance.now();
      for (let i = 0; i < n; i++) first.push(await get(i));
      const touchAllMs = ms(t);
      for (let i = 0; i < n; i++) warm.push(await get(i));
      const memAll = await server.ask<{ rss: number; heapUsed: number; models: number }>('mem');
      await server.stop();
      out.tenants = {
        tenants: n,
        objects_per_tenant: 30,
        fields_per_object: 9,
        create_one_ms: oneMs,
        create_all_ms: createAllMs,
        create_per_tenant_ms: Math.round(createAllMs / Math.max(1, n - 1)),
        cold_boot_ms: Math.round(server.bootMs),
        first_request_ms: { p50: pct(first, 50), p99: pct(first, 99), max: pct(first, 100) },
        warm_request_ms: { p50: pct(warm, 50), p99: pct(warm, 99) },
        first_request_all_tenants_ms: touchAllMs,
        rss_after_boot_mib: Math.round(memBoot.rss / 2 ** 20),
        rss_all_tenants_loaded_mib: Math.round(memAll.rss / 2 ** 20),
        heap_used_mib: Math.round(memAll.heapUsed / 2 ** 20),
        rss_per_loaded_tenant_kib: Math.round((memAll.rss - memBoot.rss) / 1024 / n),
        models_cached: memAll.models,
      };
      log('tenants', out.tenants);
    }
  } finally {
    // a second engine for validation and the clean-up (the first one was closed for the cold boot)
  }
  const e2 = await createEngine({
    databaseUrl: URL_,
    platformSchema: PLATFORM,
    schemaPrefix: PREFIX,
    poolSize: 8,
  });
  try {
    // 4. validation cost per write
    const vo = validatedObject();
    const ro = ruledObject();
    const { tenant } = await e2.tenants.create({
      slug: 'val',
      name: 'Validation',
      package: { objects: [object('bare', [field('name', 'text')]), vo, ro] },
    });
    made.push(tenant);
    const model = await e2.models.get(tenant.id);
    const admin = (await e2.db.knex.withSchema(tenant.schema).table('_users').first('id')) as { id: string };
    const scope = {
      tenantId: tenant.id,
      schema: tenant.schema,
      actor: admin.id,
      model,
      access: ALLOW_ALL,
      dbRole: dbRoleOf(tenant),
    };
    const N = QUICK ? 200 : 1000;
    const timeWrites = async (fn: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < 50; i++) await fn(i); // warm-up
      const t = performance.now();
      for (let i = 0; i < N; i++) await fn(i);
      return Math.round(((performance.now() - t) * 1000) / N);
    };
    const cols = (v: Record<string, unknown>) => ({
      ...v,
      owner: admin.id,
      created_by: admin.id,
      updated_by: admin.id,
    });
    // Records to update: one per write of the update kinds, created up front.
    const idsOf = async (name: string, values: (i: number) => Record<string, unknown>) => {
      const r = await e2.records.batch(
        scope,
        name,
        Array.from({ length: 1000 }, (_, i) => ({ op: 'create' as const, data: values(i) })),
      );
      return r.map((x) => x.record!.id as string);
    };
    const bareIds = await idsOf('bare', (i) => ({ name: `Bare ${i}` }));
    const validatedIds = await idsOf('validated', (i) => validatedValues(vo, i));
    const ruledIds = await idsOf('ruled', (i) => ruledValues(ro, i));
    const kinds: Record<string, (i: number) => Promise<unknown>> = {
      bare: (i) => e2.records.create(scope, 'bare', { name: `Bare ${i}` }),
      validated: (i) => e2.records.create(scope, 'validated', validatedValues(vo, i)),
      ruled: (i) => e2.records.create(scope, 'ruled', ruledValues(ro, i)),
      bareUpdate: (i) => e2.records.update(scope, 'bare', bareIds[i % 1000], { name: `Bare ${i}'` }),
      validatedUpdate: (i) =>
        e2.records.update(scope, 'validated', validatedIds[i % 1000], { n1: i % 1000, c2: 99.5 }),
      ruledUpdate: (i) => e2.records.update(scope, 'ruled', ruledIds[i % 1000], { n1: i % 1000, c2: 99.5 }),
      plainBare: (i) =>
        e2.db.knex
          .withSchema(tenant.schema)
          .table('bare')
          .insert(cols({ name: `Bare ${i}` }))
          .returning('*'),
      plainValidated: (i) =>
        e2.db.knex
          .withSchema(tenant.schema)
          .table('validated')
          .insert(cols(validatedValues(vo, i)))
          .returning('*'),
    };
    // three rounds, the kinds interleaved, median per kind (no order bias from JIT warm-up)
    const rounds: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
    for (let round = 0; round < 3; round++)
      for (const [name, fn] of Object.entries(kinds)) rounds[name].push(await timeWrites(fn));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    const [bareUs, validatedUs, bareInsertUs, plainInsertUs] = [
      'bare',
      'validated',
      'plainBare',
      'plainValidated',
    ].map((n) => med(rounds[n]));
    const v = validatorsFor(model.objects.get('validated')!);
    const values = Array.from({ length: 1000 }, (_, i) => validatedValues(vo, i));
    let t = performance.now();
    for (let i = 0; i < 200_000; i++) v.write(values[i % 1000]);
    const ajvUs = Math.round((((performance.now() - t) * 1000) / 200_000) * 100) / 100;
    // the rule steps alone (computed defaults, then formulas, required-if, dependent picklist and
    // validation rules) on a create, without the database: this object's rules read no lookups
    const ruledModel = model.objects.get('ruled')!;
    const ruleSteps = [defaultsStep(TIME_ZONE), recordRulesStep(TIME_ZONE)];
    const ruledInputs = Array.from({ length: 1000 }, (_, i) => ruledValues(ro, i));
    const evalRules = async (i: number) => {
      const input = ruledInputs[i % 1000];
      const item: WriteItem = {
        index: 0,
        op: 'create',
        input,
        before: null,
        values: { ...input },
        pointer: '',
      };
      const ctx = { model, object: ruledModel, items: [item], actor: admin.id, issues: [] } as unknown;
      for (const step of ruleSteps) await step.run(ctx as WriteContext);
      if ((ctx as WriteContext).issues.length) throw new Error(JSON.stringify((ctx as WriteContext).issues));
    };
    for (let i = 0; i < 10_000; i++) await evalRules(i); // warm-up
    t = performance.now();
    for (let i = 0; i < 100_000; i++) await evalRules(i);
    const rulesEvalUs = Math.round((((performance.now() - t) * 1000) / 100_000) * 100) / 100;
    t = performance.now();
    const BATCHES = QUICK ? 3 : 10;
    for (let i = 0; i < BATCHES; i++)
      await e2.records.batch(
        scope,
        'validated',
        values.map((data) => ({ op: 'create' as const, data })),
      );
    const batchUs = Math.round(((performance.now() - t) * 1000) / (BATCHES * 1000));
    out.validation = {
      writes_each: N,
      sequential_single_connection: true,
      bare_object_create_us: bareUs,
      validated_30_fields_create_us: validatedUs,
      plain_knex_insert_bare_us: bareInsertUs,
      plain_knex_insert_validated_us: plainInsertUs,
      ruled_create_us: med(rounds.ruled),
      rules_per_write_us: med(rounds.ruled) - validatedUs,
      bare_update_us: med(rounds.bareUpdate),
      validated_update_us: med(rounds.validatedUpdate),
      ruled_update_us: med(rounds.ruledUpdate),
      ajv_validate_30_fields_us: ajvUs,
      rules_evaluate_ruled_create_us: rulesEvalUs,
      batch_1000_validated_per_row_us: batchUs,
      note: 'sequential writes through RecordsService on one connection; ruled = validated + 3 validation rules (one regex), 2 stored formulas, required-if, computed default, dependent picklist; no lookups, so no transaction. Updates of bare/validated are one blind UPDATE; ruled updates read the stored row first (rules see the whole record). rules_per_write_us = ruled - validated create',
    };
    log('validation', out.validation);
    // clean up
    t = performance.now();
    for (const tn of made) await e2.tenants.drop(tn).catch(() => undefined);
    await e2.db.knex.raw('drop schema if exists ?? cascade', [PLATFORM]);
    out.drop_all_ms = ms(t);
  } finally {
    await e2.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
