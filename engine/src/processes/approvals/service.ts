import type { Knex } from 'knex';
import { DomainError, notFound } from '../../core/errors.js';
import type { CompiledObject } from '../../metadata/compile.js';
import type { TenantSessions } from '../../db/tenant-sessions.js';
import { isUuid } from '../../records/read.js';
import type { RecordsService, Scope } from '../../records/service.js';
import { flowOfRequest, flowsOf, hasFlows, type CompiledFlow } from './compiled.js';
import { addApprover, approve, myTask, reject, transfer } from './decisions.js';
import { finish, flushNotifications, holds, notify, start, syncShares, type Run } from './routing.js';
import { ApprovalStore, type RequestRow } from './store.js';
import { escalateStep, type EscalationJob } from './escalation.js';
import { SYSTEM_ACTOR } from '../../jobs/jobs.js';
import { requestViews } from './views.js';

/** Puts an escalation on the job runner (enqueue at `runAt`, keyed by request and step entry). */
export type EscalationScheduler = (tenantId: string, job: EscalationJob, runAt: Date) => Promise<void>;

/** Who calls: their records scope, and whether they administer the tenant. */
export interface Caller {
  scope: Scope;
  isAdmin: boolean;
}

const ACTIONS = ['approve', 'reject', 'transfer', 'add_approver', 'reassign'] as const;
type Action = (typeof ACTIONS)[number];

function body(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [
      { pointer: '/', code: 'WRONG_TYPE', params: { expected: 'object' } },
    ]);
  return raw as Record<string, unknown>;
}

function commentOf(b: Record<string, unknown>): string | null {
  const c = b.comment;
  if (c === undefined || c === null || c === '') return null;
  if (typeof c !== 'string' || c.length > 2000)
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [
      { pointer: '/comment', code: 'TOO_LONG', params: { limit: 2000 } },
    ]);
  return c.trim() || null;
}

/**
 * Approval requests: submit, decide (approve, reject, transfer, add an approver, reassign),
 * recall. Each call is ONE transaction under the tenant's role: the record row is locked first,
 * then the request, so concurrent decisions on one step queue up and every one after the
 * first finds the step decided (409). Field updates and related records go through the
 * records pipeline in the same transaction, with the system's access on the actor's behalf.
 */
export class ApprovalService {
  constructor(
    private records: RecordsService,
    private sessions: TenantSessions,
    private timeZone: string,
  ) {}

  private scheduler: EscalationScheduler | null = null;

  /** Where overdue steps are scheduled (the job runner, wired by engine.ts). */
  setScheduler(s: EscalationScheduler) {
    this.scheduler = s;
  }

  private async schedule(c: Caller, due: Run['due']) {
    for (const d of due)
      await this.scheduler?.(c.scope.tenantId, { requestId: d.requestId, stepSeq: d.stepSeq }, d.runAt);
  }

  /** One transaction; escalations of the steps it entered are scheduled once it has committed. */
  private async tx<T>(c: Caller, fn: (trx: Knex, due: Run['due']) => Promise<T>): Promise<T> {
    const due: Run['due'] = [];
    const out = await this.sessions.write(c.scope.dbRole, (trx) => fn(trx, due));
    this.records.kickOutbox(c.scope);
    await this.schedule(c, due);
    return out;
  }

  private async lockRecord(trx: Knex, c: Caller, o: CompiledObject, id: string) {
    return (await trx.withSchema(c.scope.schema).from(o.table).where('id', id).forUpdate().first()) as
      Record<string, unknown> | undefined;
  }

  /** Does the flow apply to this record (active, business type, entry condition)? */
  async applies(db: Knex, c: Caller, f: CompiledFlow, row: Record<string, unknown>) {
    if (!f.active) return { ok: false, why: 'inactive' as const };
    if (f.businessTypes && !f.businessTypes.has(String(row.business_type ?? '')))
      return { ok: false, why: 'business_type' as const };
    if (
      f.entry &&
      !(await holds(db, c.scope, c.scope.model, f.object, f.entry, row, c.scope.actor, this.timeZone))
    )
      return { ok: false, why: 'entry' as const };
    return { ok: true, why: null };
  }

  /** The flow a submit starts: the one asked for (it must apply), else the first that applies by priority. */
  private async chooseFlow(
    trx: Knex,
    c: Caller,
    o: CompiledObject,
    row: Record<string, unknown>,
    name: unknown,
  ) {
    const flows = flowsOf(c.scope.model).byObject.get(o.name) ?? [];
    if (name !== undefined) {
      const f = flows.find((x) => x.name === name);
      if (!f) throw notFound('APPROVAL_FLOW_NOT_FOUND', { flow: String(name), object: o.def.label });
      if (!(await this.applies(trx, c, f, row)).ok)
        throw new DomainError(422, 'APPROVAL_NOT_APPLICABLE', { flow: f.label });
      return f;
    }
    for (const f of flows) if ((await this.applies(trx, c, f, row)).ok) return f;
    throw new DomainError(422, 'APPROVAL_NO_FLOW', { object: o.def.label });
  }

  private run(
    trx: Knex,
    c: Caller,
    o: CompiledObject,
    flow: CompiledFlow,
    req: RequestRow,
    due: Run['due'],
  ): Run {
    return {
      due,
      trx,
      store: new ApprovalStore(trx, c.scope.schema),
      records: this.records,
      scope: c.scope,
      actor: c.scope.actor,
      model: c.scope.model,
      object: o,
      flow,
      req,
      timeZone: this.timeZone,
      notes: [],
    };
  }

  private async finishRun(r: Run) {
    await syncShares(r);
    await flushNotifications(r);
    return r.req.id;
  }

  /** Submits the record for approval (with a comment); a record already pending is a 409. */
  async submit(c: Caller, object: string, id: string, raw: unknown) {
    const b = body(raw);
    const comment = commentOf(b);
    const o = this.records.object(c.scope.model, object);
    if (!c.scope.access.can(o, 'read'))
      throw new DomainError(403, 'NO_OBJECT_ACCESS', { object: o.name, op: 'read' });
    if (!isUuid(id)) throw notFound('RECORD_NOT_FOUND', { object: o.name, id });
    const requestId = await this.tx(c, async (trx, due) => {
      const visible = trx.withSchema(c.scope.schema).from(o.table).where('id', id).first('id');
      c.scope.access.scopeRead(visible, o, (n) => `${o.table}.${n}`);
      if (!(await visible)) throw notFound('RECORD_NOT_FOUND', { object: o.name, id });
      const editable = trx.withSchema(c.scope.schema).from(o.table).where('id', id).first('id');
      c.scope.access.scopeEdit(editable, o, (n) => `${o.table}.${n}`);
      if (!c.scope.access.can(o, 'edit') || !(await editable))
        throw new DomainError(403, 'NO_RECORD_ACCESS', { object: o.name, id });
      const row = (await this.lockRecord(trx, c, o, id))!;
      const store = new ApprovalStore(trx, c.scope.schema);
      if (await store.pendingFor(o.name, id)) throw new DomainError(409, 'APPROVAL_ALREADY_PENDING');
      const flow = await this.chooseFlow(trx, c, o, row, b.flow);
      return this.startWithin(trx, c, o, id, flow, comment, due);
    });
    return this.view(c, requestId);
  }

  /**
   * Starts a request of `flow` for record `id` in the caller's transaction (the record row is
   * locked and has no pending request): a submit, or a flow that starts itself on create or
   * when its condition turns true (the approval-start step).
   */
  async startWithin(
    trx: Knex,
    c: Caller,
    o: CompiledObject,
    id: string,
    flow: CompiledFlow,
    comment: string | null,
    due?: Run['due'],
  ) {
    const store = new ApprovalStore(trx, c.scope.schema);
    const round = await store.nextRound(o.name, id);
    const [req] = (await store
      .requests()
      .insert({
        flow: flow.name,
        meta_version: c.scope.model.version,
        definition: JSON.stringify(flow.def),
        object: o.name,
        record_id: id,
        round,
        status: 'pending',
        submitter: c.scope.actor,
        comment,
      })
      .returning('*')) as RequestRow[];
    await store.log(req.id, 'submit', { actor: c.scope.actor, comment, detail: { flow: flow.name, round } });
    // Without a caller's list (a flow that starts itself inside a write), escalations are
    // scheduled without waiting: the write's transaction must not wait for the platform
    // connection (PGlite has one); the job finds no request if that write rolls back.
    const r = this.run(trx, c, o, flow, req, due ?? []);
    await start(r, comment);
    if (!due) void this.schedule(c, r.due).catch(() => undefined);
    return this.finishRun(r);
  }

  /** Loads the request for a decision: record row locked, then the request row. */
  private async load(trx: Knex, c: Caller, requestId: string, due: Run['due']) {
    if (!isUuid(requestId)) throw notFound('APPROVAL_NOT_FOUND');
    const store = new ApprovalStore(trx, c.scope.schema);
    const first = await store.request(requestId);
    if (!first) throw notFound('APPROVAL_NOT_FOUND');
    const o = c.scope.model.objects.get(first.object);
    if (!o) throw notFound('APPROVAL_NOT_FOUND');
    await this.lockRecord(trx, c, o, first.record_id);
    const req = (await store.request(requestId, true))!;
    const involved =
      req.submitter === c.scope.actor ||
      c.isAdmin ||
      !!(await store.tasks().where({ request_id: req.id, user_id: c.scope.actor }).first('id'));
    if (!involved) throw new DomainError(403, 'APPROVAL_NOT_APPROVER');
    if (req.status !== 'pending') throw new DomainError(409, 'APPROVAL_NOT_PENDING', { status: req.status });
    const flow = flowOfRequest(c.scope.model, req);
    if (!flow) throw new DomainError(409, 'APPROVAL_FLOW_GONE', { flow: req.flow });
    return this.run(trx, c, o, flow, req, due);
  }

  /** approve | reject | transfer (转办) | add_approver (加签, before or after) | reassign (admins). */
  async decide(c: Caller, requestId: string, raw: unknown) {
    const b = body(raw);
    const action = b.action as Action;
    if (!ACTIONS.includes(action))
      throw new DomainError(422, 'VALIDATION_FAILED', {}, [
        {
          pointer: '/action',
          code: 'NOT_AN_OPTION',
          params: { value: String(b.action), allowed: ACTIONS.join(', ') },
        },
      ]);
    const comment = commentOf(b);
    await this.tx(c, async (trx, due) => {
      const r = await this.load(trx, c, requestId, due);
      if (action === 'reassign') {
        if (!c.isAdmin) throw new DomainError(403, 'FORBIDDEN');
        const task = (await r.store.currentTasks(r.req)).find(
          (t) => t.user_id === b.from && t.status === 'pending',
        );
        if (!task)
          throw new DomainError(422, 'VALIDATION_FAILED', {}, [
            { pointer: '/from', code: 'APPROVAL_NOT_APPROVER_OF_STEP' },
          ]);
        await transfer(r, task, b.to, comment, 'reassign');
        return this.finishRun(r);
      }
      const task = await myTask(r, c.scope.actor);
      const step = r.flow.steps[r.req.current_step!];
      if (c.scope.actor === r.req.submitter && !step.allowSelfApproval)
        throw new DomainError(403, 'APPROVAL_SELF');
      if (action === 'approve') await approve(r, task, comment);
      else if (action === 'reject') await reject(r, task, comment);
      else if (action === 'transfer') await transfer(r, task, b.to, comment);
      else await addApprover(r, task, b.to, b.position, comment);
      return this.finishRun(r);
    });
    return this.view(c, requestId);
  }

  /** The submitter takes the request back; its approvers are told. */
  async recall(c: Caller, requestId: string, raw: unknown) {
    const comment = commentOf(body(raw));
    await this.tx(c, async (trx, due) => {
      const r = await this.load(trx, c, requestId, due);
      if (r.req.submitter !== c.scope.actor) throw new DomainError(403, 'APPROVAL_NOT_SUBMITTER');
      const approvers = (await r.store.currentTasks(r.req))
        .filter((t) => t.status === 'pending' || t.status === 'waiting')
        .map((t) => t.user_id);
      await notify(r, approvers, 'approval_recalled', { comment });
      await finish(r, 'recalled', comment);
      return this.finishRun(r);
    });
    return this.view(c, requestId);
  }

  /**
   * The job of an overdue step (see escalation.ts): the system acts, under the tenant's role;
   * nothing happens if the request moved on. `scope` is a system scope of the tenant.
   */
  async escalate(scope: Scope, job: EscalationJob, now = new Date()) {
    const c: Caller = { isAdmin: true, scope: { ...scope, actor: SYSTEM_ACTOR.id } };
    return this.tx(c, async (trx, due) => {
      const store = new ApprovalStore(trx, scope.schema);
      const first = await store.request(job.requestId);
      const o = first && scope.model.objects.get(first.object);
      if (!first || !o) return false;
      await this.lockRecord(trx, c, o, first.record_id);
      const req = (await store.request(job.requestId, true))!;
      const flow = flowOfRequest(scope.model, req);
      if (!flow) return false;
      const r = this.run(trx, c, o, flow, req, due);
      const done = await escalateStep(r, job, now);
      await this.finishRun(r);
      return done;
    });
  }

  /** The object an inbox filter names (404 when it does not exist). */
  objectOf(c: Caller, name: string) {
    return this.records.object(c.scope.model, name);
  }

  /** One request as its people see it (submitter, approvers, admins; others: 404). */
  async view(c: Caller, requestId: string) {
    if (!isUuid(requestId)) throw notFound('APPROVAL_NOT_FOUND');
    return this.sessions.read(c.scope.dbRole, async (db) => {
      const store = new ApprovalStore(db, c.scope.schema);
      const req = await store.request(requestId);
      if (!req) throw notFound('APPROVAL_NOT_FOUND');
      const involved =
        c.isAdmin ||
        req.submitter === c.scope.actor ||
        !!(await store.tasks().where({ request_id: req.id, user_id: c.scope.actor }).first('id'));
      if (!involved) throw notFound('APPROVAL_NOT_FOUND');
      return (await requestViews(db, c.scope, [req]))[0];
    });
  }

  /** Every round of a record's approvals, for those who may read the record. */
  async history(c: Caller, object: string, id: string) {
    const o = this.records.object(c.scope.model, object);
    await this.records.get(c.scope, object, id, ['id']);
    return this.sessions.read(c.scope.dbRole, async (db) => {
      const store = new ApprovalStore(db, c.scope.schema);
      const reqs = (await store
        .requests()
        .where({ object: o.name, record_id: id })
        .orderBy('round', 'desc')) as RequestRow[];
      const rounds = await requestViews(db, c.scope, reqs);
      const latest = rounds[0] ?? null;
      const pending = latest?.status === 'pending' ? latest : null;
      // What the lock step (lock-step.ts) refuses while pending, so screens show it before a 423.
      const policy = pending ? (reqs[0]!.definition.lock ?? { mode: 'record' }) : null;
      const mine = !!pending?.approvers.some((a) => a.id === c.scope.actor && a.status === 'pending');
      return {
        status: latest?.status ?? null,
        current: pending
          ? { requestId: pending.id, step: pending.currentStep, approvers: pending.approvers }
          : null,
        // Whether any flow exists for the object (a screen offers "submit" only then).
        flows: hasFlows(c.scope.model, o.name),
        lock:
          policy && policy.mode !== 'none'
            ? {
                mode: policy.mode,
                fields: policy.mode === 'fields' ? (policy.fields ?? []) : [],
                exempt: c.isAdmin || mine,
              }
            : null,
        rounds,
      };
    });
  }
}
