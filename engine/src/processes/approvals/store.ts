import type { Knex } from 'knex';
import type { ApprovalFlowDef } from '../../core/approval-model.js';
import type { Ident } from '../../core/ident.js';
import { APPROVAL_DECISIONS, APPROVAL_REQUESTS, APPROVAL_TASKS } from '../../db/engine-tables.js';
import type { JsonValue } from '../../core/model.js';

export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'recalled' | 'cancelled';
export type TaskStatus = 'pending' | 'waiting' | 'approved' | 'rejected' | 'transferred' | 'cancelled';
export type TaskOrigin = 'route' | 'transfer' | 'add_before' | 'add_after' | 'reassign' | 'escalation';

export interface RequestRow {
  id: string;
  flow: string;
  meta_version: number;
  definition: ApprovalFlowDef;
  object: string;
  record_id: string;
  round: number;
  status: RequestStatus;
  submitter: string;
  comment: string | null;
  current_step: number | null;
  step_seq: number;
  step_due_at: Date | null;
  submitted_at: Date;
  decided_at: Date | null;
}

export interface TaskRow {
  id: string;
  request_id: string;
  step: number;
  step_seq: number;
  user_id: string;
  status: TaskStatus;
  origin: TaskOrigin;
  required: boolean;
  resumes: string | null;
  comment: string | null;
  created_at: Date;
  decided_at: Date | null;
}

/** Table access of approvals, bound to one connection (usually the decision's transaction). */
export class ApprovalStore {
  constructor(
    readonly db: Knex,
    readonly schema: Ident,
  ) {}

  requests = () => this.db.withSchema(this.schema).table(APPROVAL_REQUESTS);
  tasks = () => this.db.withSchema(this.schema).table(APPROVAL_TASKS);
  decisions = () => this.db.withSchema(this.schema).table(APPROVAL_DECISIONS);

  async request(id: string, lock = false): Promise<RequestRow | undefined> {
    const q = this.requests().where('id', id);
    if (lock) q.forUpdate();
    return (await q.first()) as RequestRow | undefined;
  }

  async pendingFor(object: string, recordId: string): Promise<RequestRow | undefined> {
    return (await this.requests().where({ object, record_id: recordId, status: 'pending' }).first()) as
      RequestRow | undefined;
  }

  async nextRound(object: string, recordId: string): Promise<number> {
    const r = (await this.requests().where({ object, record_id: recordId }).max({ n: 'round' }).first()) as
      { n: number | null } | undefined;
    return (r?.n ?? 0) + 1;
  }

  /** Tasks of the step the request is at now. */
  async currentTasks(req: RequestRow): Promise<TaskRow[]> {
    return (await this.tasks()
      .where({ request_id: req.id, step_seq: req.step_seq })
      .orderBy('created_at')
      .orderBy('id')) as TaskRow[];
  }

  async updateRequest(id: string, set: Partial<Omit<RequestRow, 'definition'>>) {
    await this.requests().where('id', id).update(set);
  }

  async setTask(id: string, status: TaskStatus, comment?: string | null) {
    const done = status !== 'pending' && status !== 'waiting';
    await this.tasks()
      .where('id', id)
      .update({
        status,
        ...(done ? { decided_at: this.db.fn.now() } : {}),
        ...(comment !== undefined ? { comment } : {}),
      });
  }

  async addTasks(
    req: RequestRow,
    step: number,
    rows: { userId: string; status?: TaskStatus; origin: TaskOrigin; required?: boolean; resumes?: string }[],
  ): Promise<TaskRow[]> {
    if (!rows.length) return [];
    return (await this.tasks()
      .insert(
        rows.map((r) => ({
          request_id: req.id,
          step,
          step_seq: req.step_seq,
          user_id: r.userId,
          status: r.status ?? 'pending',
          origin: r.origin,
          required: r.required ?? false,
          resumes: r.resumes ?? null,
        })),
      )
      .returning('*')) as TaskRow[];
  }

  /** One entry of the request's timeline. */
  async log(
    requestId: string,
    action: string,
    e: {
      step?: number | null;
      actor?: string | null;
      comment?: string | null;
      detail?: Record<string, JsonValue>;
    },
  ) {
    await this.decisions().insert({
      request_id: requestId,
      action,
      step: e.step ?? null,
      actor: e.actor ?? null,
      comment: e.comment ?? null,
      detail: e.detail ? JSON.stringify(e.detail) : null,
    });
  }
}
