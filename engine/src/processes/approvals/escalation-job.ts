import type { JobKind, JobTenant } from '../../jobs/jobs.js';
import type { Scope } from '../../records/service.js';
import type { EscalationJob } from './escalation.js';
import type { ApprovalService, EscalationScheduler } from './service.js';

export const ESCALATE_JOB = 'approval.escalate';

/** One waiting job per request and step entry: a step entered again gets a job of its own. */
export const escalationKey = (j: EscalationJob) => `${j.requestId}:${j.stepSeq}`;

/**
 * The job kind of overdue approval steps. At least once: `escalate` locks the record and the
 * request and does nothing when the request has moved on or the step was already escalated.
 */
export function escalationJobKind(
  service: ApprovalService,
  scopeOf: (t: JobTenant) => Promise<Scope>,
): JobKind<EscalationJob> {
  return {
    name: ESCALATE_JOB,
    payload: {
      type: 'object',
      required: ['requestId', 'stepSeq'],
      properties: {
        requestId: { type: 'string', format: 'uuid' },
        stepSeq: { type: 'integer', minimum: 1 },
      },
      additionalProperties: false,
    },
    run: async (p, ctx) => void (await service.escalate(await scopeOf(ctx.tenant), p)),
  };
}

/** Puts escalations on the job runner: due at the step's due time, keyed by request and step entry. */
export const escalationScheduler =
  (
    enqueue: (
      kind: string,
      payload: Record<string, unknown>,
      o: { tenantId: string; runAt: Date; key: string },
    ) => Promise<number>,
  ): EscalationScheduler =>
  async (tenantId, job, runAt) =>
    void (await enqueue(ESCALATE_JOB, { ...job }, { tenantId, runAt, key: escalationKey(job) }));
