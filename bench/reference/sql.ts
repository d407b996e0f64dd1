/** The reference and raw-pg targets' fixed schema (mirrors what Tessera's deploy creates) and SQL. */
export const OPP_COLS = [
  'name',
  'amount',
  'stage',
  'close_date',
  'probability',
  'account',
  'region',
  'product_line',
  'description',
  'is_won',
] as const;
export const OPP_TYPES = [
  'text',
  'numeric',
  'text',
  'date',
  'numeric',
  'uuid',
  'text',
  'text',
  'text',
  'boolean',
];
export const BENCH_USER = '00000000-0000-4000-8000-000000000001';

export const ddl = (s: string) => [
  `drop schema if exists ${s} cascade`,
  `create schema ${s}`,
  `create table ${s}._users (id uuid primary key default gen_random_uuid(), username text not null unique)`,
  `insert into ${s}._users (id, username) values ('${BENCH_USER}', 'admin')`,
  `create table ${s}.account (id uuid primary key default gen_random_uuid(), owner uuid references ${s}._users (id),
    created_at timestamptz not null default now(), created_by uuid, updated_at timestamptz not null default now(), updated_by uuid,
    version integer not null default 1, name text, industry text, region text)`,
  `create index on ${s}.account (owner)`,
  `create table ${s}.opportunity (id uuid primary key default gen_random_uuid(), owner uuid references ${s}._users (id),
    created_at timestamptz not null default now(), created_by uuid, updated_at timestamptz not null default now(), updated_by uuid,
    version integer not null default 1, name text, amount numeric(14,2), stage text, close_date date, probability numeric(5,2),
    account uuid references ${s}.account (id) on delete restrict, region text, product_line text, description text, is_won boolean)`,
  `create index on ${s}.opportunity (owner)`,
  `create index on ${s}.opportunity (account)`,
  `create index on ${s}.opportunity (stage)`,
  `create index on ${s}.opportunity (close_date)`,
];

const cols = OPP_COLS.join(', ');
/** Named prepared statements: planned once per connection. */
export const sql = (s: string) => ({
  create: `insert into ${s}.opportunity (${cols}, owner, created_by, updated_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11) returning *`,
  batch: `insert into ${s}.opportunity (${cols}, owner, created_by, updated_by)
    select *, $11::uuid, $11::uuid, $11::uuid from unnest(${OPP_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) returning *`,
  // Limit first, then join the 50 accounts: one round trip, the same rows as Tessera's expand=account.
  // Sorted as a plain server naturally would, so the index on close_date serves it.
  list: `select o.*, a.id as a_id, a.owner as a_owner, a.created_at as a_created_at, a.created_by as a_created_by, a.updated_at as a_updated_at,
    a.updated_by as a_updated_by, a.version as a_version, a.name as a_name, a.industry as a_industry, a.region as a_region
    from (select * from ${s}.opportunity where stage = $1 and amount > $2 order by close_date desc limit $3) o
    left join ${s}.account a on a.id = o.account order by o.close_date desc`,
  get: `select * from ${s}.opportunity where id = $1`,
  patch: `update ${s}.opportunity set stage = $2, version = version + 1, updated_at = now(), updated_by = $3 where id = $1 returning *`,
  aggregate: `select stage, sum(amount) as sum_amount from ${s}.opportunity group by stage order by stage nulls last limit 1000`,
});

/**
 * The batch as a plain server most often writes it (and as knex's `insert(rows)` sends it): one
 * multi-row INSERT … VALUES with a placeholder per value, Postgres typing each from its column.
 * Not a named statement: its text changes with the number of rows.
 */
export function valuesInsert(
  s: string,
  rows: Record<string, unknown>[],
): { text: string; values: unknown[] } {
  const values: unknown[] = [BENCH_USER];
  const tuples = rows.map(
    (r) => `(${OPP_COLS.map((c) => `$${values.push(r[c] ?? null)}`).join(', ')}, $1, $1, $1)`,
  );
  return {
    text: `insert into ${s}.opportunity (${cols}, owner, created_by, updated_by) values ${tuples.join(', ')} returning *`,
    values,
  };
}

/** Column arrays for the unnest batch insert. */
export function columnsOf(rows: Record<string, unknown>[]): unknown[][] {
  return OPP_COLS.map((c) => rows.map((r) => r[c] ?? null));
}

/** A list row with the joined account split out, as Tessera's expand=account returns it. */
export function nestAccount(row: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  const acc: Record<string, unknown> = {};
  for (const k in row)
    if (k.startsWith('a_')) acc[k.slice(2)] = row[k];
    else out[k] = row[k];
  if (acc.id) out.account = acc;
  return out;
}
