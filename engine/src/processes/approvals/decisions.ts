import { DomainError } from '../../core/errors.js';
import { enterFrom, finish, notify, runActions, type Run } from './routing.js';
import type { TaskRow } from './store.js';
import { userRows } from './users.js';

const open = (t: TaskRow) => t.status === 'pending' || t.status === 'waiting';

/**
 * The caller's pending task at the current step, or why there is none: 409 when they were an
 * approver of this request but the step has moved on (someone decided first), 403 otherwise.
 */
export async function myTask(r: Run, userId: string): Promise<TaskRow> {
  const tasks = await r.store.currentTasks(r.req);
  const mine = tasks.find((t) => t.user_id === userId && t.status === 'pending');
  if (mine) return mine;
  if (tasks.some((t) => t.user_id === userId && t.status === 'waiting'))
    throw new DomainError(409, 'APPROVAL_WAITING', { step: r.flow.steps[r.req.current_step!]?.label });
  const ever = await r.store.tasks().where({ request_id: r.req.id, user_id: userId }).first('id');
  if (ever) throw new DomainError(409, 'APPROVAL_ALREADY_DECIDED');
  throw new DomainError(403, 'APPROVAL_NOT_APPROVER');
}

/** A user the request may be handed to: active, not the submitter (unless the step allows), not already deciding here. */
async function checkTarget(r: Run, to: unknown, pointer: string): Promise<string> {
  const step = r.flow.steps[r.req.current_step!];
  const user =
    typeof to === 'string'
      ? (await userRows(r.trx, r.scope.schema, [to]).catch(() => new Map())).get(to)
      : undefined;
  if (!user?.active)
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [
      { pointer, code: 'LOOKUP_NOT_FOUND', params: { target: 'user', id: String(to) } },
    ]);
  if (user.id === r.req.submitter && !step.allowSelfApproval)
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [{ pointer, code: 'APPROVAL_SELF' }]);
  const tasks = await r.store.currentTasks(r.req);
  if (tasks.some((t) => t.user_id === user.id && open(t)))
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [
      { pointer, code: 'APPROVAL_ALREADY_APPROVER', params: { user: user.display_name } },
    ]);
  return user.id;
}

export async function approve(r: Run, task: TaskRow, comment: string | null) {
  const stepIndex = r.req.current_step!;
  const step = r.flow.steps[stepIndex];
  await r.store.setTask(task.id, 'approved', comment);
  await r.store.log(r.req.id, 'approve', { step: stepIndex, actor: r.actor, comment });
  // An approver added before someone: that one decides now.
  if (task.resumes) {
    await r.store.setTask(task.resumes, 'pending');
    const resumed = (await r.store.currentTasks(r.req)).find((t) => t.id === task.resumes);
    if (resumed) await notify(r, [resumed.user_id], 'approval_requested', { comment, step });
    return;
  }
  let tasks = await r.store.currentTasks(r.req);
  if (step.mode !== 'all') {
    // One approval decides the step, except for approvers added after someone, who still must.
    for (const t of tasks) if (open(t) && !t.required) await r.store.setTask(t.id, 'cancelled');
    tasks = await r.store.currentTasks(r.req);
  }
  if (tasks.some(open)) return;
  await r.store.log(r.req.id, 'step_approved', { step: stepIndex, detail: { stepName: step.name } });
  await runActions(r, 'step_approved', comment);
  await enterFrom(r, stepIndex + 1, null);
}

export async function reject(r: Run, task: TaskRow, comment: string | null) {
  const stepIndex = r.req.current_step!;
  const step = r.flow.steps[stepIndex];
  await r.store.setTask(task.id, 'rejected', comment);
  await r.store.log(r.req.id, 'reject', { step: stepIndex, actor: r.actor, comment });
  // With `any`, an approver added before someone only advises: the one they were added before decides.
  if (step.mode === 'any' && task.resumes) {
    await r.store.setTask(task.resumes, 'pending');
    const resumed = (await r.store.currentTasks(r.req)).find((t) => t.id === task.resumes);
    if (resumed) await notify(r, [resumed.user_id], 'approval_requested', { comment, step });
    return;
  }
  // With `any`, one rejection leaves the others to decide; the request fails when nobody is left.
  if (step.mode === 'any' && (await r.store.currentTasks(r.req)).some((t) => open(t) && t.id !== task.id))
    return;
  await finish(r, 'rejected', comment);
}

/** 转办: the caller's task goes to another user, who decides in their place. */
export async function transfer(
  r: Run,
  task: TaskRow,
  to: unknown,
  comment: string | null,
  origin: 'transfer' | 'reassign' | 'escalation' = 'transfer',
) {
  const target = await checkTarget(r, to, '/to');
  await r.store.setTask(task.id, 'transferred', comment);
  await r.store.addTasks(r.req, task.step, [
    { userId: target, origin, required: task.required, resumes: task.resumes ?? undefined },
  ]);
  // Whoever waited on the old task now waits on the new one.
  await r.store.log(r.req.id, origin, {
    step: task.step,
    actor: r.actor,
    comment,
    detail: { from: task.user_id, to: target },
  });
  await notify(r, [target], 'approval_requested', { comment, step: r.flow.steps[task.step] });
}

/**
 * 加签: another approver before the caller (they decide first, then the caller) or after
 * (the caller approves now; the step waits for the added one too).
 */
export async function addApprover(
  r: Run,
  task: TaskRow,
  to: unknown,
  position: unknown,
  comment: string | null,
) {
  if (position !== 'before' && position !== 'after')
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [
      {
        pointer: '/position',
        code: 'NOT_AN_OPTION',
        params: { value: String(position), allowed: 'before, after' },
      },
    ]);
  const target = await checkTarget(r, to, '/to');
  const step = r.flow.steps[task.step];
  await r.store.log(r.req.id, 'add_approver', {
    step: task.step,
    actor: r.actor,
    comment,
    detail: { user: target, position },
  });
  if (position === 'before') {
    await r.store.setTask(task.id, 'waiting');
    await r.store.addTasks(r.req, task.step, [
      { userId: target, origin: 'add_before', required: true, resumes: task.id },
    ]);
    await notify(r, [target], 'approval_requested', { comment, step });
    return;
  }
  await r.store.addTasks(r.req, task.step, [{ userId: target, origin: 'add_after', required: true }]);
  await notify(r, [target], 'approval_requested', { comment, step });
  await approve(r, task, comment);
}
