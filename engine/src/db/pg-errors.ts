import { text as msg } from '../core/messages.js';
import { DomainError } from '../core/errors.js';

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  table?: string;
}

/** Turns the database's refusals that a user can act on into problems; anything else stays a 500. */
export function fromPgError(err: unknown): DomainError | null {
  const e = err as PgError;
  switch (e?.code) {
    case '23505':
      return new DomainError(409, 'UNIQUE_VIOLATION', {}, uniqueIssue(e));
    case '23503': // foreign_key_violation
    case '23001': // restrict_violation: ON DELETE RESTRICT reports this one, not 23503
      return new DomainError(409, 'STILL_REFERENCED', { detail: e.table ?? '' });
    case '55P03': // lock_not_available (lock_timeout)
      return new DomainError(503, 'LOCK_TIMEOUT', {}, [], { retryAfter: 2 });
    case '57014': // query_canceled (statement_timeout)
      return new DomainError(503, 'SERVICE_UNAVAILABLE', { reason: msg('R_STATEMENT_TIMEOUT') }, [], {
        retryAfter: 2,
      });
    case '40001':
    case '40P01':
      return new DomainError(503, 'SERVICE_UNAVAILABLE', { reason: msg('R_CONCURRENT_UPDATE') }, [], {
        retryAfter: 1,
      });
    default:
      // Class 22, data exception: a value the column cannot hold (out of range, impossible date,
      // bad encoding). Inputs are checked before they reach SQL; this keeps a missed one a 400.
      return e?.code?.startsWith('22') ? new DomainError(400, 'BAD_VALUE', {}) : null;
  }
}

/** Our unique indexes are uq_<field id>; the field name comes from the error detail `Key (name)=…`. */
function uniqueIssue(e: PgError) {
  const m = /^Key \(([^)]+)\)=/.exec(e.detail ?? '');
  return m ? [{ pointer: '/' + m[1].split(', ')[0], code: 'UNIQUE_VIOLATION' }] : [];
}
