import { formatMessage } from './messages.js';
import type { Lang } from './model.js';

/** One problem with one place in the input, addressed by a JSON pointer (RFC 6901). */
export interface FieldIssue {
  pointer: string;
  code: string;
  params?: Record<string, unknown>;
  /** Extra machine-readable detail (e.g. the rows that block a conversion). */
  detail?: unknown;
}

/**
 * A failure the caller can act on. Carries a stable code, an HTTP status and per-field issues;
 * messages are rendered in the reader's language only when the problem is sent.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly params: Record<string, unknown> = {},
    readonly issues: FieldIssue[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(formatMessage(code, 'en', params));
    this.name = 'DomainError';
  }
}

export const notFound = (code = 'NOT_FOUND', params: Record<string, unknown> = {}) =>
  new DomainError(404, code, params);
export const badRequest = (code: string, params: Record<string, unknown> = {}, issues: FieldIssue[] = []) =>
  new DomainError(400, code, params, issues);
export const invalid = (issues: FieldIssue[], code = 'VALIDATION_FAILED') =>
  new DomainError(422, code, {}, issues);

/** Renders issues with localized messages, for problem+json bodies. */
export function renderIssues(issues: FieldIssue[], lang: Lang) {
  return issues.map((i) => ({
    pointer: i.pointer,
    code: i.code,
    message: formatMessage(i.code, lang, i.params),
    ...(i.detail === undefined ? {} : { detail: i.detail }),
  }));
}

/** JSON pointer escaping (RFC 6901). */
export function pointer(...parts: (string | number)[]): string {
  return parts.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
