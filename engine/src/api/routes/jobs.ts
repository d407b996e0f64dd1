import { DomainError, badRequest } from '../../core/errors.js';
import { writeAudit } from '../../db/audit.js';
import type { Ident } from '../../core/ident.js';
import type { Knex } from 'knex';
import { JOB_STATES, type JobState, type Jobs } from '../../jobs/jobs.js';
import { principalOf } from '../context.js';
import { apiRouter, scope } from '../scopes.js';
import { intParam, strictQuery } from '../http-helpers.js';

const MAX_LIMIT = 200;

function jobId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new DomainError(404, 'JOB_NOT_FOUND', { id: raw });
  return Number(raw);
}

/**
 * /api/v1/jobs: the tenant's background jobs, for its admins (scope admin on every route):
 * list (e.g. `?state=dead`, the dead letters), one job with its progress, retry of a dead job.
 */
export function jobsRouter(jobs: Jobs, db: Knex, platform: Ident) {
  const r = apiRouter();
  r.get('/', scope('admin'), async (req, res) => {
    const q = strictQuery(req, ['state', 'kind', 'before', 'limit']);
    if (q.state !== undefined && !(JOB_STATES as readonly string[]).includes(q.state))
      throw badRequest('JOB_STATE', { value: q.state, allowed: JOB_STATES.join(', ') }, [
        { pointer: '/state', code: 'NOT_AN_OPTION', params: { value: q.state, allowed: JOB_STATES } },
      ]);
    const limit = intParam('limit', q.limit) ?? 50;
    if (limit < 1 || limit > MAX_LIMIT) throw badRequest('BAD_LIMIT', { max: MAX_LIMIT });
    const data = await jobs.list(principalOf(res).tenant.id, {
      state: q.state as JobState | undefined,
      kind: q.kind,
      before: intParam('before', q.before),
      limit,
    });
    res.json({ data, next: data.length === limit ? String(data[data.length - 1].id) : null });
  });
  r.get('/:id', scope('admin'), async (req, res) => {
    const job = await jobs.get(principalOf(res).tenant.id, jobId(String(req.params.id)));
    if (!job) throw new DomainError(404, 'JOB_NOT_FOUND', { id: req.params.id });
    res.json({ data: job });
  });
  r.post('/:id/retry', scope('admin'), async (req, res) => {
    const p = principalOf(res);
    const id = jobId(String(req.params.id));
    const job = await jobs.retry(p.tenant.id, id);
    if (!job) {
      const exists = await jobs.get(p.tenant.id, id);
      if (!exists) throw new DomainError(404, 'JOB_NOT_FOUND', { id });
      throw new DomainError(409, 'JOB_NOT_DEAD', { id, state: exists.state });
    }
    await writeAudit(db, platform, {
      tenantId: p.tenant.id,
      actor: p.userId,
      action: 'job.retried',
      detail: { job: id, kind: job.kind },
      ip: req.ip,
    });
    res.json({ data: job });
  });
  return r;
}
