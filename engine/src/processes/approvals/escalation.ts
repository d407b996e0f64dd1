import { DomainError } from '../../core/errors.js';
import { transfer } from './decisions.js';
import { notify, type Run } from './routing.js';
import { activeUsers, idsOf, parentRoles, userRows } from './users.js';

/** What the job runner carries to escalate one step of one request. */
export interface EscalationJob {
  requestId: string;
  /** The step entry it was scheduled for: a request that moved on since is left alone. */
  stepSeq: number;
}

/**
 * Who an overdue approval goes to: the approver's manager, else the users of the parent role
 * (the role hierarchy), else nobody (the step stays as it is and everyone is notified instead).
 */
async function managerOf(r: Run, userId: string): Promise<string[]> {
  const u = (await userRows(r.trx, r.scope.schema, [userId])).get(userId);
  if (!u) return [];
  if (u.manager) {
    const m = (await userRows(r.trx, r.scope.schema, [u.manager])).get(u.manager);
    if (m?.active && m.id !== r.req.submitter) return [m.id];
  }
  const parent = u.role ? parentRoles(r.model.pkg).get(u.role) : undefined;
  if (!parent) return [];
  return (await idsOf(activeUsers(r.trx, r.scope.schema).where('role', parent))).filter(
    (id) => id !== r.req.submitter,
  );
}

/**
 * Runs the step's escalation once it is overdue: `notify` tells the approvers and the submitter;
 * `reassign_to_manager` moves each pending decision to the approver's manager (notified as a
 * new approver), falling back to notifying. Idempotent: a request no longer at `stepSeq`, or
 * not yet due, is left alone; the timeline records one `escalate` per step entry.
 */
export async function escalateStep(r: Run, job: EscalationJob, now = new Date()): Promise<boolean> {
  if (r.req.status !== 'pending' || r.req.step_seq !== job.stepSeq || r.req.current_step === null)
    return false;
  if (!r.req.step_due_at || r.req.step_due_at > now) return false;
  const done = await r.store
    .decisions()
    .where({ request_id: r.req.id, action: 'escalate' })
    .whereRaw("(detail->>'stepSeq')::int = ?", [job.stepSeq])
    .first('seq');
  if (done) return false;
  const step = r.flow.steps[r.req.current_step];
  const tasks = (await r.store.currentTasks(r.req)).filter((t) => t.status === 'pending');
  const moved: { from: string; to: string }[] = [];
  if (step.escalation === 'reassign_to_manager')
    for (const t of tasks) {
      const busy = new Set((await r.store.currentTasks(r.req)).map((x) => x.user_id));
      const to = (await managerOf(r, t.user_id)).find((id) => !busy.has(id));
      if (!to) continue;
      try {
        await transfer(r, t, to, null, 'escalation');
        moved.push({ from: t.user_id, to });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
      }
    }
  await r.store.log(r.req.id, 'escalate', {
    step: r.req.current_step,
    detail: { stepSeq: job.stepSeq, action: step.escalation ?? 'notify', moved },
  });
  const still = (await r.store.currentTasks(r.req))
    .filter((t) => t.status === 'pending')
    .map((t) => t.user_id);
  await notify(r, [...still, r.req.submitter], 'approval_overdue', { step });
  return true;
}
