import type { Knex } from 'knex';

/** Postgres's own defaults for autovacuum's analyze (autovacuum_analyze_threshold, _scale_factor). */
export const ANALYZE_THRESHOLD = 50;
export const ANALYZE_SCALE_FACTOR = 0.1;

export interface EmbeddedAnalyzeOptions {
  /** How long after a write the tables it changed are checked (writes in between join the check). */
  delayMs?: number;
  /** A failed check or ANALYZE: logged by the caller, never an error of the write that caused it. */
  onError?: (err: unknown, table: string) => void;
}

/**
 * Planner statistics on embedded PGlite. PGlite is Postgres without its background workers, so
 * no autovacuum ever analyzes a table: after an import the planner still believes the table is
 * empty and picks plans for that. Writes report the tables they changed; shortly after, each
 * table whose changes since its last ANALYZE (`n_mod_since_analyze`, counted by Postgres itself)
 * pass autovacuum's own rule — 50 rows plus 10 % of the table — is analyzed, one at a time, on the
 * platform connection. On a Postgres server autovacuum does this and the engine does not.
 */
export class EmbeddedAnalyze {
  /** `schema.table` → its two names, for the tables changed since the last check. */
  private readonly dirty = new Map<string, [string, string]>();
  private timer: NodeJS.Timeout | undefined;
  private work: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly delayMs: number;

  constructor(
    private readonly knex: Knex,
    private readonly opts: EmbeddedAnalyzeOptions = {},
  ) {
    this.delayMs = opts.delayMs ?? 1_000;
  }

  /** A write changed rows of `schema.table` (engine identifiers). O(1): the check comes later. */
  changed(schema: string, table: string): void {
    if (this.closed) return;
    this.dirty.set(`${schema}.${table}`, [schema, table]);
    this.timer ??= setTimeout(() => void this.flush(), this.delayMs).unref();
  }

  /** Checks the changed tables now (and waits for checks already running). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const tables = [...this.dirty.values()];
    this.dirty.clear();
    if (tables.length) this.work = this.work.then(() => this.check(tables));
    return this.work;
  }

  /** Stops taking changes and waits for a running check; the engine then closes the database. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    await this.work;
  }

  private async check(tables: [string, string][]): Promise<void> {
    let due: { schema: string; table: string }[];
    try {
      // A backend reports its row counts at most once a second, when idle; PGlite's one backend
      // may not be idle again for a while. Forced, they are reported as this statement ends.
      await this.knex.raw('select pg_stat_force_next_flush()');
      // Tables dropped meanwhile (a tenant removed) are simply not found.
      const { rows } = (await this.knex.raw(
        `select s.schemaname as schema, s.relname as "table" from pg_stat_user_tables s
           join pg_class c on c.oid = s.relid
         where (s.schemaname, s.relname) in (select * from unnest(?::text[], ?::text[]))
           and s.n_mod_since_analyze > ? + ? * greatest(c.reltuples, 0)`,
        [tables.map((t) => t[0]), tables.map((t) => t[1]), ANALYZE_THRESHOLD, ANALYZE_SCALE_FACTOR],
      )) as { rows: { schema: string; table: string }[] };
      due = rows;
    } catch (e) {
      this.opts.onError?.(e, tables.map((t) => t.join('.')).join(', '));
      return;
    }
    for (const { schema, table } of due) {
      if (this.closed) return;
      await this.knex
        .raw('analyze ??.??', [schema, table])
        .catch((e: unknown) => this.opts.onError?.(e, `${schema}.${table}`));
    }
  }
}
