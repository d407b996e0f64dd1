import type { ErrorRequestHandler, Request, Response } from 'express';
import { DomainError, renderIssues } from '../core/errors.js';
import { formatMessage } from '../core/messages.js';
import type { Lang } from '../core/model.js';
import { fromPgError } from '../db/pg-errors.js';

/** The reader's language: ?locale=, then Accept-Language; English otherwise. */
export function langOf(req: Request): Lang {
  const q = typeof req.query.locale === 'string' ? req.query.locale : '';
  const header = req.headers['accept-language'] ?? '';
  const pick = (s: string) => (/^zh/i.test(s.trim()) ? 'zh-CN' : /^en/i.test(s.trim()) ? 'en' : null);
  if (q && pick(q)) return pick(q)!;
  for (const part of header.split(',')) {
    const l = pick(part.split(';')[0]);
    if (l) return l;
  }
  return 'en';
}

const kebab = (code: string) => code.toLowerCase().replace(/_/g, '-');

/** Sends an RFC 9457 problem+json: stable code, localized detail, per-field errors. */
export function sendProblem(req: Request, res: Response, e: DomainError) {
  const lang = langOf(req);
  const requestId = res.locals.requestId as string;
  const { retryAfter, ...extra } = e.extra as { retryAfter?: number };
  if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
  res
    .status(e.status)
    .type('application/problem+json')
    .setHeader('Content-Language', lang)
    .json({
      type: `https://tessera.dev/problems/${kebab(e.code)}`,
      title: formatMessage(e.code, 'en', e.params),
      status: e.status,
      detail: formatMessage(e.code, lang, { ...e.params, requestId }),
      instance: requestId,
      code: e.code,
      ...(e.issues.length ? { errors: renderIssues(e.issues, lang) } : {}),
      ...extra,
    });
}

/** Last handler: domain errors as they are, known database refusals translated, the rest a bare 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  void _next;
  const e = err as { type?: string; status?: number };
  if (err instanceof DomainError) return sendProblem(req, res, err);
  if (e?.type === 'entity.parse.failed') return sendProblem(req, res, new DomainError(400, 'INVALID_JSON'));
  if (e?.type === 'entity.too.large') return sendProblem(req, res, new DomainError(413, 'PAYLOAD_TOO_LARGE'));
  const pg = fromPgError(err);
  if (pg) return sendProblem(req, res, pg);
  // No stack, SQL or constraint names leave the server: the request's log line carries the error
  // with its stack (pino-http logs `res.err`), found by the request id the response shows.
  res.err = err instanceof Error ? err : new Error(String(err));
  sendProblem(req, res, new DomainError(500, 'INTERNAL'));
};
