import type { Knex } from 'knex';
import type { FieldIssue } from '../core/errors.js';
import type { Ident } from '../core/ident.js';
import type { CompiledModel, CompiledObject } from '../metadata/compile.js';
import type { AccessPolicy } from './access.js';

export type WriteOp = 'create' | 'update' | 'delete';

/**
 * Who is writing, beside which user: a person through the API (`user`), the engine itself
 * (`system`: roll-up and formula recalculation, recompute), an automation rule, an approval, an
 * import job. Steps read it from the WriteContext; field history, events and the audit log store it.
 */
export type WriteOrigin =
  'user' | 'system' | `automation:${string}` | `approval:${string}` | `import:${string}`;

const ORIGIN = /^(user|system|(automation|approval|import):[A-Za-z0-9_.:-]{1,100})$/;
export const isWriteOrigin = (s: unknown): s is WriteOrigin => typeof s === 'string' && ORIGIN.test(s);

/** One record being written. Steps read `input` and `before`, and shape `values`. */
export interface WriteItem {
  index: number;
  op: WriteOp;
  id?: string;
  /** What the caller sent (field name → JSON value). */
  input: Record<string, unknown>;
  expectedVersion?: number;
  /** The stored row (database columns) for updates and deletes, locked FOR UPDATE. */
  before: Record<string, unknown> | null;
  /** Field name → value to store. Starts as the input; steps may add (defaults, auto-numbers). */
  values: Record<string, unknown>;
  /**
   * Engine columns (CompiledObject.processColumns) a process step sets, by column: the business
   * type, when the record entered its stage. Persist writes them with the values.
   */
  system?: Record<string, unknown>;
  /** The stored row after persist. */
  after?: Record<string, unknown>;
  /**
   * The row the caller gets back when a later step changed the record again in the write's
   * transaction (an approval that started itself set its status field); absent: `after`.
   */
  result?: Record<string, unknown>;
  /**
   * Blind update only (no stored row read): required fields the input leaves alone, which the
   * stored row must hold for the update to apply (persist puts them in its WHERE).
   */
  requireStored?: string[];
  /** Where this item's fields live in the request body, e.g. '' or '/records/3'. */
  pointer: string;
  /** The caller's reason to save despite warnings (body-level `$override`), e.g. a possible duplicate. */
  override?: string;
}

export interface OutboxEvent {
  type: 'record.created' | 'record.updated' | 'record.deleted' | 'record.duplicate_override';
  object: string;
  recordId: string;
  payload: Record<string, unknown>;
}

/**
 * The work of one write request, shared by every step. `trx` runs under the tenant's role: inside
 * one transaction when any step needs it (`locked`), or else statement by statement, where the
 * single statement that persists carries the record's version check and its outbox event.
 */
export interface WriteContext {
  trx: Knex;
  /** In a transaction, stored rows locked by load-before; otherwise persist checks versions. */
  locked: boolean;
  /**
   * A single update that no step needs the stored row for: load-before reads nothing, and
   * persist's UPDATE carries every check (row access, If-Match, stored required fields). When it
   * matches no row, it throws WriteConflict and the write runs again with the row read, which
   * then says why (404, 403, 412, 422) or succeeds.
   */
  blind: boolean;
  schema: Ident;
  tenantId: string;
  actor: string;
  /** Who is writing: a user, the system, an automation, an approval, an import. */
  origin: WriteOrigin;
  model: CompiledModel;
  object: CompiledObject;
  items: WriteItem[];
  /** What the caller may do (checked by the authorize step). */
  access: AccessPolicy;
  /** The policy that allows everything, to skip row checks for administrators. */
  unrestricted: AccessPolicy;
  /** Problems found so far; the pipeline stops with a 422 after any step that adds one. */
  issues: FieldIssue[];
  events: OutboxEvent[];
  /** Values steps prepared before the transaction (e.g. reserved auto-numbers), by step name. */
  prepared: Map<string, unknown>;
}

/** What a step may see before the transaction opens. */
export type PrepareContext = Omit<
  WriteContext,
  'trx' | 'locked' | 'blind' | 'issues' | 'events' | 'prepared'
> & {
  db: Knex;
};

/**
 * Persist found the stored row changed since load-before read it (no lock was held): the service
 * runs the write again from the start, so every step sees the new row.
 */
export class WriteConflict extends Error {
  constructor() {
    super('the record changed while it was being written');
  }
}

/**
 * A step of the write pipeline. Later features (rules, stage gates, approval locks) are steps
 * plugged in between validation and persistence by the composition root; records never imports them.
 */
export interface RecordStep {
  name: string;
  /**
   * Work that must not hold locks inside the transaction (e.g. reserving auto-numbers). Its
   * result is `ctx.prepared.get(name)`; a promise is awaited, anything else (nothing to do) not.
   */
  prepare?(ctx: PrepareContext): unknown;
  /**
   * Does this write need one transaction for this step (locks, more than one statement that must
   * commit together)? Absent means yes: a step must say so to let writes skip the transaction.
   */
  needsTransaction?(ctx: PrepareContext): boolean;
  /** Does this step read `item.before` of updates? Absent means yes (see WriteContext.blind). */
  needsBefore?(ctx: PrepareContext): boolean;
  /** Returns a promise only when it has work to wait for: the pipeline awaits nothing else. */
  run(ctx: WriteContext): Promise<void> | void;
}
