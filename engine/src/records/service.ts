import { text as msg } from '../core/messages.js';
import type { Knex } from 'knex';
import type { TenantSessions } from '../db/tenant-sessions.js';
import { DomainError, badRequest, notFound } from '../core/errors.js';
import { SYSTEM_FIELDS, type Ident } from '../core/ident.js';
import { FIELD_HISTORY } from '../schema-sync/ddl.js';
import type { JsonValue } from '../core/model.js';
import type { CompiledModel, CompiledObject } from '../metadata/compile.js';
import { aggregate } from './aggregate.js';
import { rowToRecord, visibleCatalog } from './catalog.js';
import type { CursorCodec } from './cursor.js';
import type { OutboxDispatcher } from './outbox-dispatcher.js';
import { ALLOW_ALL, type AccessPolicy } from './access.js';
import { authorize } from './steps/authorize.js';
import {
  WriteConflict,
  type PrepareContext,
  type RecordStep,
  type WriteContext,
  type WriteItem,
  type WriteOp,
  type WriteOrigin,
} from './pipeline.js';
import { emitRecordEvent } from './internal-write.js';
import { entityTag } from './entity-tag.js';
import { ownerTransfer } from './steps/owner.js';
import { getRecord, isUuid, listRecords, type ListQuery, type ReadScope } from './read.js';
import { searchObjects } from './search.js';
import { listTeam, removeTeamMember, setTeamMember } from './team.js';
import { autoNumbers } from './steps/auto-numbers.js';
import { loadBefore } from './steps/load-before.js';
import { lookupAccess } from './steps/lookup-access.js';
import { normalize } from './steps/normalize.js';
import { outbox } from './steps/outbox.js';
import { persist } from './steps/persist.js';
import { fieldHistory } from './steps/field-history.js';
import { validate } from './steps/validate.js';
import { inFormOrder } from './form-order.js';

/** Who writes, in which tenant, against which metadata version, with which rights. */
export interface Scope {
  tenantId: string;
  schema: Ident;
  actor: string;
  model: CompiledModel;
  /** The caller's access policy; system work passes ALLOW_ALL explicitly. */
  access: AccessPolicy;
  /** The tenant's database role: every transaction runs under it (the database's tenant fence). */
  dbRole: Ident;
  /** Who is writing (default `user`): automation, approvals and imports say so here. */
  origin?: WriteOrigin;
}

/** An entry of the platform's audit log, as records reports it (see db/audit.ts). */
export interface RecordAudit {
  tenantId: string;
  actor: string;
  origin: WriteOrigin;
  action: 'record.owner_transferred' | 'record.team_changed';
  detail: Record<string, unknown>;
}

export interface BatchOperation {
  op: WriteOp;
  id?: string;
  version?: number;
  data?: Record<string, unknown>;
}

export const MAX_BATCH = 1000;
/** Tries of a write without a transaction before it takes locks instead (hot rows). */
const UNLOCKED_ATTEMPTS = 3;
const SYSTEM = new Set<string>(SYSTEM_FIELDS);
const BATCH_OPS: ReadonlySet<unknown> = new Set(['create', 'update', 'delete']);

/** Back to what the caller sent, before the steps run (again, after a lost race). */
function resetItem(item: WriteItem) {
  item.before = null;
  item.after = undefined;
  item.result = undefined;
  item.values = {};
  item.requireStored = undefined;
  item.system = undefined;
}

export interface RecordsOptions {
  /** Platform connection (system work before a write's transaction, e.g. reserving numbers). */
  knex: Knex;
  /** Connections under the tenant's role: every read and write of tenant tables. */
  sessions: TenantSessions;
  cursors: CursorCodec;
  dispatcher: OutboxDispatcher;
  timeZone: string;
  /** Steps from process features, run in order between validation and persistence. */
  ruleSteps?: RecordStep[];
  /** Steps that fill values before validation (e.g. computed defaults), after normalize. */
  beforeValidate?: RecordStep[];
  /** Steps run after persist and before history and outbox (e.g. roll-ups, duplicate checks). */
  afterPersist?: RecordStep[];
  /** Appends to the platform's audit log after commit (transfers, team changes). */
  audit?: (e: RecordAudit) => Promise<void>;
  /** Told the table a write changed, after it committed (embedded PGlite's statistics: db/embedded-analyze). */
  changed?: (schema: string, table: string) => void;
}

/**
 * The one way into a tenant's tables. Every write (single, batch, and later imports, stage moves,
 * approvals, automation) runs the same steps in one transaction:
 * authorize → load-before → normalize → validate → lookup-access → [rule steps] → auto-numbers →
 * persist → field-history → outbox.
 */
export class RecordsService {
  private readonly steps: RecordStep[];
  /** Steps that only check (validate, then lookups and rules): they all run while only required values are missing. */
  private readonly checks: ReadonlySet<RecordStep>;
  constructor(private opts: RecordsOptions) {
    this.checks = new Set([validate, ownerTransfer, lookupAccess, ...(opts.ruleSteps ?? [])]);
    this.steps = [
      authorize,
      loadBefore,
      normalize,
      ...(opts.beforeValidate ?? []),
      validate,
      ownerTransfer,
      lookupAccess,
      ...(opts.ruleSteps ?? []),
      autoNumbers(opts.timeZone),
      persist,
      ...(opts.afterPersist ?? []),
      fieldHistory,
      outbox,
    ];
  }

  object(model: CompiledModel, name: string): CompiledObject {
    const o = model.objects.get(name);
    if (!o) throw notFound('OBJECT_NOT_FOUND', { object: name });
    return o;
  }

  /** Runs `fn` in a transaction under the tenant's database role. */
  private inTenant<T>(s: Scope, fn: (trx: Knex) => Promise<T>): Promise<T> {
    return this.opts.sessions.write(s.dbRole, fn);
  }

  private readScope(s: Scope, db: Knex): ReadScope {
    return {
      db,
      schema: s.schema,
      tenantId: s.tenantId,
      model: s.model,
      cursors: this.opts.cursors,
      access: s.access,
    };
  }

  private read<T>(s: Scope, fn: (r: ReadScope) => Promise<T>): Promise<T> {
    return this.opts.sessions.read(s.dbRole, (db) => fn(this.readScope(s, db)));
  }

  /** Small writes outside the record pipeline (record teams), in one transaction. */
  private writeScope<T>(s: Scope, fn: (r: ReadScope) => Promise<T>): Promise<T> {
    return this.inTenant(s, (trx) => fn(this.readScope(s, trx)));
  }

  list(s: Scope, object: string, q: ListQuery) {
    const o = this.object(s.model, object);
    return this.read(s, (r) => listRecords(r, o, q));
  }

  /** The global search over every object the caller may read (records/search.ts). */
  search(s: Scope, text: string, per: number) {
    return this.read(s, (r) => searchObjects(r, text, per));
  }

  /** One record, its edit version and its ETag (which also covers derived values). */
  async get(s: Scope, object: string, id: string, fields?: string[], expand?: string[]) {
    const o = this.object(s.model, object);
    const { record, version } = await this.read(s, (r) => getRecord(r, o, id, fields, expand));
    return { record, version, tag: entityTag(o, record, version) };
  }

  /** Tracked-field changes of one record, newest first; only fields the caller may read. */
  history(s: Scope, object: string, id: string) {
    const o = this.object(s.model, object);
    return this.read(s, async (r) => {
      await getRecord(r, o, id, ['id']);
      const readable = s.access.readable(o);
      const rows = (await r.db
        .withSchema(s.schema)
        .from(FIELD_HISTORY)
        .where({ object_id: o.id, record_id: id })
        .orderBy('seq', 'desc')
        .limit(500)
        .select('field', 'old_value', 'new_value', 'actor', 'origin', 'at')) as {
        field: string;
        old_value: unknown;
        new_value: unknown;
        actor: string;
        origin: string;
        at: Date;
      }[];
      return rows
        .filter((h) => readable.has(h.field) || SYSTEM.has(h.field))
        .map((h) => ({
          field: h.field,
          old: h.old_value,
          new: h.new_value,
          actor: h.actor,
          origin: h.origin,
          at: h.at.toISOString(),
        }));
    });
  }

  team(s: Scope, object: string, id: string) {
    const o = this.object(s.model, object);
    return this.read(s, (r) => listTeam(r, o, id));
  }

  /**
   * Adds someone to a record's team (or changes their access). Like every change of a record,
   * it emits an event (`record.team_changed`) in its transaction and is audited, with its origin.
   */
  async setTeamMember(s: Scope, object: string, id: string, userId: string, access: unknown) {
    const o = this.object(s.model, object);
    const change = { userId, access, change: 'set' };
    await this.writeScope(s, async (r) => {
      await setTeamMember(r, o, id, userId, access);
      await emitRecordEvent(this.internal(s, r.db, o), id, 'record.team_changed', change);
    });
    await this.audited(s, 'record.team_changed', { object: o.name, id, ...change });
  }

  async removeTeamMember(s: Scope, object: string, id: string, userId: string) {
    const o = this.object(s.model, object);
    const change = { userId, change: 'removed' };
    await this.writeScope(s, async (r) => {
      await removeTeamMember(r, o, id, userId);
      await emitRecordEvent(this.internal(s, r.db, o), id, 'record.team_changed', change);
    });
    await this.audited(s, 'record.team_changed', { object: o.name, id, ...change });
  }

  /** Gives up to 1,000 records to another owner: all or none, like a batch of owner updates. */
  async transfer(s: Scope, object: string, ids: unknown, owner: unknown) {
    if (!Array.isArray(ids) || !ids.length || !ids.every((x) => typeof x === 'string'))
      throw badRequest('BAD_REQUEST', { reason: 'ids must be a non-empty list of record ids' });
    return this.batch(
      s,
      object,
      (ids as string[]).map((id) => ({ op: 'update' as const, id, data: { owner } })),
      () => '',
    );
  }

  private internal(s: Scope, trx: Knex, o: CompiledObject) {
    return { trx, schema: s.schema, object: o, actor: s.actor, origin: s.origin ?? 'user' };
  }

  private async audited(s: Scope, action: RecordAudit['action'], detail: Record<string, unknown>) {
    await this.opts.audit?.({
      tenantId: s.tenantId,
      actor: s.actor,
      origin: s.origin ?? 'user',
      action,
      detail,
    });
  }

  aggregate(s: Scope, object: string, body: unknown) {
    const o = this.object(s.model, object);
    return this.read(s, (r) => aggregate(r, o, body));
  }

  async create(s: Scope, object: string, data: unknown) {
    return (await this.write(s, object, [{ op: 'create', input: asRecord(data, '') }], false))[0];
  }

  async update(s: Scope, object: string, id: string, data: unknown, expectedVersion?: number) {
    if (!isUuid(id)) throw notFound('RECORD_NOT_FOUND', { object, id });
    const out = await this.write(
      s,
      object,
      [{ op: 'update', id, input: asRecord(data, ''), expectedVersion }],
      false,
    );
    return out[0];
  }

  async delete(s: Scope, object: string, id: string, expectedVersion?: number) {
    if (!isUuid(id)) throw notFound('RECORD_NOT_FOUND', { object, id });
    await this.write(s, object, [{ op: 'delete', id, input: {}, expectedVersion }], false);
  }

  /**
   * Up to 1,000 creates, updates or deletes: all saved, or none. `dataAt` says where operation i's
   * data sits in the request body, so issue pointers point there (`{"records": [...]}` differs).
   */
  async batch(
    s: Scope,
    object: string,
    ops: BatchOperation[],
    dataAt = (i: number) => `/operations/${i}/data`,
  ) {
    if (ops.length > MAX_BATCH)
      throw new DomainError(413, 'BATCH_TOO_LARGE', { max: MAX_BATCH, count: ops.length });
    if (ops.length === 0) throw badRequest('BAD_REQUEST', { reason: msg('R_BATCH_EMPTY') });
    const items = ops.map((op, i) => {
      const at = () => `/operations/${i}`; // made only for an error: a batch has 1,000 items
      if (!op || typeof op !== 'object' || !BATCH_OPS.has(op.op))
        throw badRequest('BAD_REQUEST', { reason: msg('R_BATCH_OP', { at: at() }) });
      if (op.op !== 'create' && (typeof op.id !== 'string' || !isUuid(op.id)))
        throw badRequest('BAD_ID', { parameter: `${at()}/id` }, [
          { pointer: `${at()}/id`, code: 'BAD_ID', params: { parameter: 'id' } },
        ]);
      if (op.version !== undefined && !Number.isInteger(op.version))
        throw badRequest('BAD_REQUEST', { reason: msg('R_BATCH_VERSION', { at: at() }) });
      // a delete has no data: its problems point at the operation
      const pointer = op.op === 'delete' ? at() : dataAt(i);
      return {
        op: op.op,
        id: op.id,
        input: op.op === 'delete' ? {} : asRecord(op.data ?? {}, pointer),
        expectedVersion: op.version,
        pointer,
      };
    });
    return this.write(s, object, items, true);
  }

  /**
   * Writes inside the caller's transaction (under the tenant's role): the same steps, rows locked.
   * For process features whose own work must commit with the write (an approval decision and the
   * field updates it makes). The caller kicks the outbox after commit (`kickOutbox`).
   */
  async writeWithin(trx: Knex, s: Scope, object: string, ops: BatchOperation[]) {
    return this.write(
      s,
      object,
      ops.map((op, i) => ({
        op: op.op,
        id: op.id,
        input: op.op === 'delete' ? {} : asRecord(op.data ?? {}, `/operations/${i}/data`),
        expectedVersion: op.version,
        pointer: `/operations/${i}/data`,
      })),
      true,
      trx,
    );
  }

  /** Delivers events written by a transaction that has committed (see writeWithin). */
  kickOutbox(s: Scope) {
    void this.opts.dispatcher.kick(s.tenantId, s.schema).catch(() => undefined);
  }

  private async write(
    s: Scope,
    objectName: string,
    raw: {
      op: WriteOp;
      id?: string;
      input: Record<string, unknown>;
      expectedVersion?: number;
      pointer?: string;
    }[],
    batch: boolean,
    outer?: Knex,
  ): Promise<{ record: Record<string, JsonValue> | null; version: number | null; tag: string | null }[]> {
    const object = this.object(s.model, objectName);
    // Every item gets every field up front, in one order: items of one shape keep the steps'
    // property accesses fast (spreads and fields added later made a batch of 1,000 polymorphic).
    const items: WriteItem[] = raw.map((r, index) => {
      const { input, override } = withoutOverride(r.input, r.pointer ?? '');
      return {
        index,
        op: r.op,
        id: r.id,
        input,
        expectedVersion: r.expectedVersion,
        before: null,
        values: {},
        system: undefined,
        after: undefined,
        result: undefined,
        requireStored: undefined,
        pointer: r.pointer ?? '',
        override,
      };
    });
    const prepared = new Map<string, unknown>();
    const pre: PrepareContext = {
      schema: s.schema,
      tenantId: s.tenantId,
      actor: s.actor,
      origin: s.origin ?? 'user',
      model: s.model,
      object,
      items,
      access: s.access,
      unrestricted: ALLOW_ALL,
      // Inside a caller's transaction, reservations join it (one connection on PGlite is busy with it).
      db: outer ?? this.opts.knex,
    };
    for (const step of this.steps) {
      if (!step.prepare) continue;
      const out = step.prepare(pre);
      prepared.set(step.name, out instanceof Promise ? await out : out);
    }
    const run = async (trx: Knex, locked: boolean, blind = false) => {
      items.forEach(resetItem);
      // Every field written out, in one order: a spread of `pre` here cost nearly as much as all the
      // steps of a blind update together (profiled), and gave each write's context a new shape.
      const ctx: WriteContext = {
        trx,
        locked,
        blind,
        schema: pre.schema,
        tenantId: pre.tenantId,
        actor: pre.actor,
        origin: pre.origin,
        model: pre.model,
        object: pre.object,
        items: pre.items,
        access: pre.access,
        unrestricted: pre.unrestricted,
        issues: [],
        events: [],
        prepared,
      };
      const refuse = () =>
        new DomainError(
          422,
          'VALIDATION_FAILED',
          {},
          inFormOrder(object, items, ctx.issues),
          batch ? { atomic: true } : {},
        );
      for (const step of this.steps) {
        // Missing required values do not stop the checks: the rule steps still run, so one
        // answer lists every failing rule too (docs/rules.md). Anything else stops at once.
        if (ctx.issues.length && !this.checks.has(step)) throw refuse();
        // Synchronous steps (authorize, validate, normalize…) return nothing: no await, no microtask.
        const pending = step.run(ctx);
        if (pending) await pending;
        const onlyMissing = ctx.issues.every((i) => i.code === 'REQUIRED');
        if (ctx.issues.length && !(onlyMissing && this.checks.has(step))) throw refuse();
      }
      return ctx;
    };
    // Most single writes need no transaction: one statement persists the row and its event. A
    // step that needs one (locks, several statements) says so; a lost race without locks retries.
    // A single update no step needs the stored row for is tried first as one blind UPDATE.
    const atomic = this.steps.some((step) => step.needsTransaction?.(pre) ?? true);
    const blind =
      items.length === 1 &&
      items[0].op === 'update' &&
      !this.steps.some((step) => step.needsBefore?.(pre) ?? true);
    let done: WriteContext | null = outer ? await run(outer, true) : null;
    for (let attempt = 0; !atomic && !done && attempt < UNLOCKED_ATTEMPTS; attempt++) {
      done = await this.opts.sessions
        .read(s.dbRole, (db) => run(db, false, blind && attempt === 0))
        .catch((e: unknown) => {
          if (e instanceof WriteConflict) return null;
          throw e;
        });
    }
    done ??= await this.inTenant(s, (trx) => run(trx, true));
    if (!outer) this.kickOutbox(s);
    this.opts.changed?.(s.schema, object.table);
    const moved = done.items.filter(
      (i) => i.before && i.after && 'owner' in i.values && i.before.owner !== i.after.owner,
    );
    if (moved.length)
      await this.audited(s, 'record.owner_transferred', {
        object: object.name,
        records: moved.map((i) => ({ id: i.after!.id, from: i.before!.owner, to: i.after!.owner })),
      });
    const cat = visibleCatalog(object, s.access.readable(object));
    return done.items.map((i) => {
      const row = i.result ?? i.after;
      const record = row ? rowToRecord(cat, row) : null;
      const version = (row?.version as number | undefined) ?? null;
      return { record, version, tag: record && version !== null ? entityTag(object, record, version) : null };
    });
  }
}

/** A body-level `"$override": "<reason>"` leaves the input: it is not a field but the caller's reason to save despite warnings. */
function withoutOverride(
  input: Record<string, unknown>,
  at: string,
): { input: Record<string, unknown>; override?: string } {
  if (!('$override' in input)) return { input };
  const { $override: reason, ...rest } = input;
  if (typeof reason !== 'string' || !reason.trim() || reason.length > 500)
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [
      { pointer: `${at}/$override`, code: 'BAD_OVERRIDE' },
    ]);
  return { input: rest, override: reason.trim() };
}

function asRecord(data: unknown, at: string): Record<string, unknown> {
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [
      { pointer: at || '/', code: 'WRONG_TYPE', params: { expected: msg('T_OBJECT') } },
    ]);
  return data as Record<string, unknown>;
}
