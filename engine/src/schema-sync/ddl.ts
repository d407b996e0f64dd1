/**
 * THE one module that writes SQL text by interpolation (lint allows it here only).
 * Every identifier it splices is an `Ident` from core/ident.ts and is double-quoted again;
 * every value is a number it computed itself or a bound parameter.
 */
import type { Knex } from 'knex';
import type { Ident } from '../core/ident.js';
import type { Storage } from '../fields/field-type.js';
import type { SchemaChange } from './changes.js';
import { formatStorage, parseFormatted } from './pg-types.js';
import { SYSTEM_COLUMNS as S } from './system-columns.js';
import {
  FIELD_HISTORY,
  OUTBOX,
  RECORD_SHARES,
  SEQUENCES,
  STAGE_HISTORY,
  USERS,
} from '../db/engine-tables.js';

export interface DdlContext {
  schema: Ident;
  /** The platform schema, home of the try_* cast helpers. */
  platform: Ident;
}

export interface Sql {
  sql: string;
  bindings?: readonly Knex.RawBinding[];
}

const q = (id: Ident) => `"${id}"`;
const t = (c: DdlContext, table: Ident) => `${q(c.schema)}.${q(table)}`;

/** Data check run before a risky step: returns the rows (id, value) that would not survive. */
export interface Check {
  sql: string;
  /** Applied instead of refusing when the deploy allows lossy changes. */
  fix?: Sql;
}

export function renderChange(c: SchemaChange, ctx: DdlContext): { checks: Check[]; statements: Sql[] } {
  const none = { checks: [] as Check[], statements: [] as Sql[] };
  switch (c.kind) {
    case 'dropForeignKey':
      return {
        ...none,
        statements: [{ sql: `alter table ${t(ctx, c.table)} drop constraint if exists ${q(c.name)}` }],
      };
    case 'dropIndex':
      return { ...none, statements: [{ sql: `drop index if exists ${q(ctx.schema)}.${q(c.name)}` }] };
    case 'retireColumn':
    case 'restoreColumn':
    case 'renameColumn': {
      const from = c.kind === 'retireColumn' ? c.column : c.from;
      return {
        ...none,
        statements: [{ sql: `alter table ${t(ctx, c.table)} rename column ${q(from)} to ${q(c.to)}` }],
      };
    }
    case 'retireTable':
    case 'restoreTable':
    case 'renameTable': {
      const from = c.kind === 'retireTable' ? c.table : c.from;
      return { ...none, statements: [{ sql: `alter table ${t(ctx, from)} rename to ${q(c.to)}` }] };
    }
    case 'createTable': {
      const cols = [
        `${q(S.id)} uuid primary key default gen_random_uuid()`,
        `${q(S.owner)} uuid references ${t(ctx, USERS)} (${q(S.id)})`,
        `${q(S.createdAt)} timestamp with time zone not null default now()`,
        `${q(S.createdBy)} uuid`,
        `${q(S.updatedAt)} timestamp with time zone not null default now()`,
        `${q(S.updatedBy)} uuid`,
        `${q(S.version)} integer not null default 1`,
        ...c.columns.map((col) => `${q(col.name)} ${formatStorage(col.storage)}`),
      ];
      return {
        ...none,
        statements: [{ sql: `create table ${t(ctx, c.table)} (\n  ${cols.join(',\n  ')}\n)` }],
      };
    }
    case 'addColumn':
      // Nullable, no default: a catalog-only change, no table rewrite however many rows.
      return {
        ...none,
        statements: [
          {
            sql: `alter table ${t(ctx, c.table)} add column ${q(c.column.name)} ${formatStorage(c.column.storage)}`,
          },
        ],
      };
    case 'alterType':
      return renderAlterType(c, ctx);
    case 'narrowText': {
      const col = q(c.column);
      const failing = `char_length(${col}) > ${c.maxLength}`;
      return {
        checks: [
          {
            sql: `select ${q(S.id)} as id, left(${col}, 200) as value from ${t(ctx, c.table)} where ${failing}`,
            fix: {
              sql: `update ${t(ctx, c.table)} set ${col} = left(${col}, ${c.maxLength}) where ${failing}`,
            },
          },
        ],
        statements: [],
      };
    }
    case 'addIndex': {
      const cols = c.columns.map(q).join(', ');
      const checks: Check[] = c.unique
        ? [
            {
              sql: `select min(${q(S.id)}::text) as id, concat_ws(', ', ${cols}) as value from ${t(ctx, c.table)} where ${c.columns.map((x) => `${q(x)} is not null`).join(' and ')} group by ${cols} having count(*) > 1`,
            },
          ]
        : [];
      return {
        checks,
        statements: [
          { sql: `create ${c.unique ? 'unique ' : ''}index ${q(c.name)} on ${t(ctx, c.table)} (${cols})` },
        ],
      };
    }
    case 'addForeignKey': {
      const col = q(c.column);
      const dangling = `${col} is not null and not exists (select 1 from ${t(ctx, c.refTable)} r where r.${q(S.id)} = ${t(ctx, c.table)}.${col})`;
      const action = { restrict: 'restrict', set_null: 'set null', cascade: 'cascade' }[c.onDelete];
      return {
        checks: [
          {
            sql: `select ${q(S.id)} as id, ${col}::text as value from ${t(ctx, c.table)} where ${dangling}`,
            fix: { sql: `update ${t(ctx, c.table)} set ${col} = null where ${dangling}` },
          },
        ],
        statements: [
          {
            sql: `alter table ${t(ctx, c.table)} add constraint ${q(c.name)} foreign key (${col}) references ${t(ctx, c.refTable)} (${q(S.id)}) on delete ${action}`,
          },
        ],
      };
    }
    case 'picklistChange':
    case 'setBusinessType':
    case 'moveStage':
    case 'refused':
      return none;
  }
}

/**
 * How many rows hold a value that a retirement would hide (`n`), counted before it runs: every
 * row of a retired table; rows whose column is not empty (NULL, and an empty array) of a column.
 */
export function retiredRowsCount(
  c: Extract<SchemaChange, { kind: 'retireColumn' | 'retireTable' }>,
  ctx: DdlContext,
  pg?: string,
): Sql {
  if (c.kind === 'retireTable') return { sql: `select count(*)::int as n from ${t(ctx, c.table)}` };
  const col = q(c.column);
  const filled = pg?.endsWith('[]') ? `cardinality(${col}) > 0` : `${col} is not null`;
  return { sql: `select count(*)::int as n from ${t(ctx, c.table)} where ${filled}` };
}

/** USING expression and data check for each supported conversion (see pg-types classifyConversion). */
function renderAlterType(c: Extract<SchemaChange, { kind: 'alterType' }>, ctx: DdlContext) {
  const col = q(c.column);
  const from = parseFormatted(c.from)!;
  const to = c.to;
  const target = formatStorage(to);
  const fn = (name: string) => `${q(ctx.platform)}.${name}`;
  let using: string;
  let failing: string | null = null;
  if (to.pg === 'text') {
    using = from.pg === 'text[]' ? `array_to_string(${col}, ';')` : `${col}::text`;
  } else if (from.pg === 'text' && to.pg === 'text[]') {
    using = `case when ${col} is null then null else array[${col}] end`;
  } else if (from.pg === 'date' && to.pg === 'timestamptz') {
    using = `${col}::timestamp with time zone`;
  } else if (from.pg === 'timestamptz' && to.pg === 'date') {
    using = `(${col} at time zone 'UTC')::date`;
    failing = `${col} is not null and (${col} at time zone 'UTC')::time <> time '00:00'`;
  } else {
    // to a number, date, timestamp, boolean or uuid: parse safely, then range-check numerics
    const parsed =
      from.pg === 'text'
        ? `${fn(`try_${to.pg === 'timestamptz' ? 'timestamptz' : to.pg === 'integer' ? 'numeric' : to.pg}`)}(${col})`
        : `${col}::numeric`;
    const bad = numericBad(parsed, to);
    failing = `${col} is not null and (${parsed} is null${bad ? ` or ${bad}` : ''})`;
    using = `case when ${failing} then null else (${parsed})::${target} end`;
  }
  const checks: Check[] = failing
    ? [
        {
          sql: `select ${q(S.id)} as id, left(${col}::text, 200) as value from ${t(ctx, c.table)} where ${failing}`,
        },
      ]
    : [];
  return {
    checks,
    statements: [{ sql: `alter table ${t(ctx, c.table)} alter column ${col} type ${target} using ${using}` }],
  };
}

function numericBad(v: string, to: Storage): string | null {
  if (to.pg === 'integer') return `${v} <> trunc(${v}) or abs(${v}) > 2147483647`;
  if (to.pg !== 'numeric') return null;
  const p = to.precision ?? 18;
  const s = to.scale ?? 2;
  return `abs(${v}) >= 1e${p - s} or round(${v}, ${s}) <> ${v}`;
}

const UNNEST_TYPES = new Set(['text', 'integer', 'numeric', 'date', 'timestamptz', 'boolean', 'uuid']);
/** Whether these columns can be written as unnested arrays (see unnestInsert). */
export const canUnnest = (columns: { pg: string }[]) =>
  columns.length > 0 && columns.every((c) => UNNEST_TYPES.has(c.pg));

/**
 * Many rows in one INSERT with one array parameter per column (`unnest`) instead of one
 * parameter per value: a 1,000-row batch binds a dozen arrays, not 13,000 values, so neither
 * Node nor Postgres handles a statement of 13,000 placeholders. Bindings: one value per `stamp`
 * column (the same for every row), then one array per column. Scalar column types only (unnest
 * would flatten array columns): null otherwise, and the caller inserts row by row values.
 */
export function unnestInsert(
  schema: Ident,
  table: Ident,
  columns: { name: Ident; pg: string }[],
  stamp: Ident[],
): string | null {
  if (!canUnnest(columns)) return null;
  const names = [...columns.map((c) => c.name), ...stamp].map(q).join(', ');
  const arrays = columns.map((c) => `?::${c.pg}[]`).join(', ');
  const stamps = stamp.map(() => ', ?').join('');
  return `insert into ${q(schema)}.${q(table)} (${names}) select _u.*${stamps} from unnest(${arrays}) as _u returning *`;
}

// The engine tables live in db/ (engine migrations create them); re-exported for existing imports.
export { USERS, OUTBOX, SEQUENCES, RECORD_SHARES, FIELD_HISTORY, STAGE_HISTORY };

/** A new tenant's schema; engine migrations (db/migrations) then create its engine tables. */
export const createSchema = (schema: Ident): Sql => ({ sql: `create schema ${q(schema)}` });

/**
 * The tenant's database role: it reaches its own schema and nothing else. Every tenant request
 * runs under it (SET LOCAL ROLE), so a bug in the application cannot cross tenants.
 */
export function tenantRoleStatements(ctx: DdlContext, role: Ident): Sql[] {
  const r = q(role);
  const s = q(ctx.schema);
  return [
    { sql: `create role ${r} nologin noinherit` },
    { sql: `grant ${r} to current_user` },
    { sql: `grant usage on schema ${s} to ${r}` },
    { sql: `grant select, insert, update, delete on all tables in schema ${s} to ${r}` },
    { sql: `grant usage, select on all sequences in schema ${s} to ${r}` },
    { sql: `alter default privileges in schema ${s} grant select, insert, update, delete on tables to ${r}` },
    { sql: `alter default privileges in schema ${s} grant usage, select on sequences to ${r}` },
  ];
}

export const dropTenantRole = (role: Ident): Sql[] => [
  { sql: `drop owned by ${q(role)}` },
  { sql: `drop role if exists ${q(role)}` },
];

/** Drops a tenant's schema and everything in it. */
export const dropSchema = (schema: Ident): Sql => ({ sql: `drop schema if exists ${q(schema)} cascade` });

/** Physically removes retired columns or tables (the purge). */
export function purgeStatements(ctx: DdlContext, retired: { table: Ident; column?: Ident }[]): Sql[] {
  return retired.map((r) =>
    r.column
      ? { sql: `alter table ${t(ctx, r.table)} drop column if exists ${q(r.column)}` }
      : { sql: `drop table if exists ${t(ctx, r.table)} cascade` },
  );
}
