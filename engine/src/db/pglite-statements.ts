import { parse, protocol, type PGlite } from '@electric-sql/pglite';
import { LRUCache } from 'lru-cache';

type Row = Record<string, unknown>;
const { serialize } = protocol;
/** Names are unique in the process, so two sets of statements on one database never collide. */
let made = 0;

/** A statement parsed once under its name, with the types of its parameters (to serialize values). */
interface Named {
  name: string;
  types: number[];
}

/**
 * Named prepared statements on embedded PGlite, for the statements of a fixed shape that a Postgres
 * server runs as named statements too (get by id, the write of one record: records/statement-shapes.ts).
 * PGlite's `query()` parses, describes, binds and executes an unnamed statement in five calls into
 * the WebAssembly backend, planning it every time; a named one is one call after the first, and
 * its plan is kept (measured alone: 64 against 163 µs of CPU per get by id).
 *
 * Runs under PGlite's own query lock (`_runExclusiveQuery`), as `query()` does, and writes to disk
 * afterwards outside a transaction the same way. At most `max` names: the one a new statement
 * evicts is closed at once; after a deploy changed a table under them, `forget()` retires them all
 * (closed with the next statement), as on a server (tenant-sessions.ts).
 */
export class PgliteStatements {
  private readonly bySql: LRUCache<string, Named>;
  private stale: string[] = [];

  constructor(
    private readonly db: PGlite,
    max: number,
  ) {
    this.bySql = new LRUCache<string, Named>({ max, dispose: (n) => this.stale.push(n.name) });
  }

  /** The statement's rows, `text` with `$n` placeholders. */
  run(text: string, values: readonly unknown[]): Promise<Row[]> {
    return this.db._runExclusiveQuery(async () => {
      const named = this.bySql.get(text) ?? (await this.prepare(text));
      if (this.stale.length) await this.closeStale();
      const params = values.map((v, i) => {
        if (v === null || v === undefined) return null;
        const s = this.db.serializers[named.types[i]!];
        return s ? (s(v) as string) : String(v);
      });
      const messages = await this.db.execProtocolStream(
        concat([
          serialize.bind({ statement: named.name, values: params }),
          serialize.describe({ type: 'P' }),
          serialize.execute({}),
          serialize.sync(),
        ]),
        { syncToFs: false },
      );
      await this.db.syncToFs();
      return parse.parseResults(messages, this.db.parsers)[0]?.rows ?? [];
    });
  }

  /** Retires every name (a deploy changed a table under them); the next runs parse again. */
  forget(): void {
    this.bySql.clear();
  }

  private async prepare(text: string): Promise<Named> {
    const name = `tessera_${++made}`;
    const messages = await this.db.execProtocolStream(
      concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      { syncToFs: false },
    );
    const types = parse.parseDescribeStatementResults(messages);
    const named = { name, types };
    this.bySql.set(text, named);
    return named;
  }

  private async closeStale() {
    const names = this.stale.splice(0);
    await this.db.execProtocolStream(
      concat([...names.map((name) => serialize.close({ type: 'S', name })), serialize.sync()]),
      { syncToFs: false },
    );
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
